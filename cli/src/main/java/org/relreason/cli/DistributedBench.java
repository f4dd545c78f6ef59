package org.relreason.cli;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.relreason.coordinator.CoordinatorOptions;
import org.relreason.coordinator.CoordinatorVerticle;
import org.relreason.coordinator.GradientAggregator;
import org.relreason.coordinator.ResultCheck;
import org.relreason.coordinator.ResultCheck.Accepted;
import org.relreason.coordinator.RunResult;
import org.relreason.coordinator.Shard;
import org.relreason.coordinator.ShardGradient;
import org.relreason.coordinator.ShardPlanner;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.coordinator.cluster.WireMeter;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.run.TrainJob;
import org.relreason.model.train.PretrainModel;
import org.relreason.protocol.Headers;
import org.relreason.protocol.ProtoCodec;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.shard.ShardComputer;

/**
 * {@code bench --distributed}: what the parameter server costs. Two measurements, one printed line
 * per setting:
 *
 * <ul>
 *   <li>step time of the embedded mode (one JVM, messages passed by reference) against a clustered
 *       coordinator in this JVM with 1 and 2 worker JVMs on 127.0.0.1, and the event-bus bytes per
 *       step the coordinator wrote and read, replies included ({@link WireMeter});
 *   <li>the coordinator's aggregation rate: 8 simulated workers' ResNet-34 results, as the bytes a
 *       worker JVM sends, decoded, checked ({@link ResultCheck}, in parallel as on the worker pool)
 *       and aggregated ({@link GradientAggregator}), against a plain {@code System.arraycopy} of
 *       the same gradients measured in the same run. It also gives the time one result's decode
 *       used to hold the event loop, before decoding moved to the worker pool.
 * </ul>
 */
public final class DistributedBench {
  private DistributedBench() {}

  /**
   * Embedded vs 1 and 2 worker JVMs for one backbone and K on Fashion-MNIST; one line each.
   *
   * @param dataDir Fashion-MNIST directory (the worker JVMs read the same images)
   */
  public static List<String> stepTimes(
      String backbone, int k, int m, int steps, int warmup, Path dataDir) throws Exception {
    int total = steps + warmup;
    Map<String, String> keys =
        Map.of(
            "backbone", backbone,
            "dataset", "fashion-mnist",
            "data-dir", dataDir.toString(),
            "train-limit", Integer.toString(m * total),
            "m", Integer.toString(m),
            "k", Integer.toString(k),
            "epochs", "1",
            "max-steps", Integer.toString(total),
            "seed", "3");
    TrainConfig config = TrainConfig.of(keys);
    ImageSet train = TrainJob.trainingImages(config);
    Normalization norm = Datasets.normalization("fashion-mnist");
    List<String> lines = new ArrayList<>();
    RunResult embedded =
        EmbeddedRun.run(
            config, train, norm, CoordinatorOptions.of("bench", 1, ShardingMode.IMAGES));
    double base = median(embedded, warmup);
    lines.add(line(backbone, k, m, "embedded", 1, base, base, 0));
    for (int workers : new int[] {1, 2}) {
      long[] bytes = new long[1];
      RunResult r = clustered(config, keys, train, workers, bytes);
      double s = median(r, warmup);
      lines.add(line(backbone, k, m, "jvms", workers, s, base, bytes[0] / (double) total));
    }
    return lines;
  }

  private static String line(
      String backbone, int k, int m, String mode, int workers, double s, double base, double b) {
    return String.format(
        Locale.ROOT,
        "bench distributed backbone=%s K=%d M=%d mode=%s workers=%d step_s=%.4f vs_embedded=%.3f"
            + " wire_mb_per_step=%.2f",
        backbone,
        k,
        m,
        mode,
        workers,
        s,
        s / base,
        b / 1e6);
  }

  /** Options whose deadline no slow step on a busy machine reaches (a bench, not a fault test). */
  private static CoordinatorOptions patient(int workers) {
    return CoordinatorOptions.of(UUID.randomUUID().toString(), workers, ShardingMode.IMAGES)
        .withDeadlineMs(3_600_000);
  }

  /** Median step seconds after the warm-up steps. */
  private static double median(RunResult r, int warmup) {
    double[] s = Arrays.copyOfRange(r.stepMillis(), Math.min(warmup, r.steps() - 1), r.steps());
    Arrays.sort(s);
    return s[s.length / 2] / 1000;
  }

  /** A clustered coordinator here, {@code workers} worker JVMs; counts event-bus wire bytes. */
  private static RunResult clustered(
      TrainConfig config, Map<String, String> keys, ImageSet train, int workers, long[] bytes)
      throws Exception {
    String cluster = "relreason-bench-" + UUID.randomUUID();
    ClusterSettings settings = ClusterSettings.loopback(cluster);
    List<Process> jvms = new ArrayList<>();
    WireMeter wire = new WireMeter();
    Vertx vertx = ClusterSupport.start(settings, wire).await();
    try {
      CoordinatorVerticle c = new CoordinatorVerticle(patient(workers), config, train);
      vertx.deployVerticle(c).await();
      for (int w = 0; w < workers; w++) {
        jvms.add(worker("b" + w, keys, cluster));
      }
      RunResult r = c.result().await();
      bytes[0] = wire.total();
      return r;
    } finally {
      jvms.forEach(Process::destroyForcibly);
      vertx.close().await();
    }
  }

  private static Process worker(String id, Map<String, String> keys, String cluster)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx2g",
                "-cp",
                System.getProperty("java.class.path"),
                "org.relreason.cli.ClusterMain",
                "worker",
                "--id",
                id,
                // no metrics server: two workers would both take the role's default port
                "--metrics-port",
                "0",
                "--cluster-name",
                cluster));
    keys.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
    File log = File.createTempFile("relreason-bench-" + id, ".log");
    log.deleteOnExit();
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }

  /**
   * 8 simulated ResNet-34 results (96×96 RGB, M=64, K=4) decoded, checked and aggregated as the
   * coordinator does ({@link ResultCheck} on a pool, then {@link GradientAggregator#weightedMean}
   * on the common fork-join pool and the calling thread), against {@code System.arraycopy} of the
   * same floats, rounds alternating; best of {@code rounds} each. Besides wall seconds it prints
   * the CPU seconds of all threads for the same best rounds: on a machine busy with other work the
   * wall ratio mostly measures the scheduler, and {@code cpu_ratio} (memcpy CPU seconds × threads /
   * aggregation CPU seconds) is what the wall ratio would be on an idle machine if the threads
   * scaled perfectly.
   */
  public static String aggregation(int rounds) throws Exception {
    int workers = 8;
    int m = 64;
    int k = 4;
    TrainConfig config =
        TrainConfig.of(Map.of("backbone", "resnet34", "m", Integer.toString(m), "k", "4"));
    ImageSet shape = new ImageSet("shape", 1, 3, 96, 96, new byte[3 * 96 * 96], null, 0);
    PretrainModel model = ShardComputer.newModel(config, shape);
    StatisticsLayout layout = new StatisticsLayout(model.statisticsMask());
    GradientAggregator aggregator =
        new GradientAggregator(model.statisticsMask(), (int) model.backboneParams());
    int n = layout.length();
    List<Shard> shards = ShardPlanner.plan(ShardingMode.IMAGES, m, k, workers);
    ResultCheck check =
        new ResultCheck(
            "bench", layout, ShardingMode.IMAGES, model::lossTerms, ProtoCodec.DEFAULT_MAX_BYTES);
    ProtoCodec<ShardResult> codec =
        ProtoCodec.of(ShardResult.class, ShardResult.getDefaultInstance());
    List<Buffer> wire = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(1);
    for (Shard s : shards) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (random.nextDouble() - 0.5) * 1e-3f;
      }
      ShardResult r =
          ShardResult.newBuilder()
              .setHeader(Headers.of("bench", 0, 0, "sim" + s.id()))
              .setShardId(s.id())
              .setLossSum(1.0)
              .setPairCount((long) s.positions().length * k * (k - 1))
              .setGradient(Tensors.float32(layout.withoutStatistics(g), n))
              .setBnStatDeltas(Tensors.float32(layout.gather(g), layout.count()))
              .addAllBnStatRanges(layout.ranges())
              .build();
      Buffer b = Buffer.buffer(r.getSerializedSize() + Integer.BYTES);
      codec.encodeToWire(b, r);
      wire.add(b);
    }
    double bytes = (double) workers * n * Float.BYTES;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      double best = Double.MAX_VALUE;
      double decodeOne = Double.MAX_VALUE;
      float[][] src = new float[workers][n];
      float[] dst = new float[n];
      double copy = Double.MAX_VALUE;
      double bestCpu = Double.MAX_VALUE;
      double copyCpu = Double.MAX_VALUE;
      // Rounds alternate between the two, so that load from other processes hits both alike.
      for (int round = 0; round < rounds; round++) {
        long t0 = System.nanoTime();
        check.check(wire.get(0), 0, 0, shards.get(0));
        decodeOne = Math.min(decodeOne, (System.nanoTime() - t0) / 1e9);
        t0 = System.nanoTime();
        long c0 = cpuNanos();
        List<Future<Accepted>> decoded = new ArrayList<>();
        for (int s = 0; s < workers; s++) {
          Buffer b = wire.get(s);
          Shard shard = shards.get(s);
          decoded.add(pool.submit(() -> check.check(b, 0, 0, shard)));
        }
        List<ShardGradient> grads = new ArrayList<>();
        long[] pairs = new long[workers];
        for (int s = 0; s < workers; s++) {
          Accepted a = decoded.get(s).get();
          grads.add(a.gradient());
          pairs[s] = a.result().getPairCount();
        }
        aggregator.weightedMean(grads, pairs);
        best = Math.min(best, (System.nanoTime() - t0) / 1e9);
        bestCpu = Math.min(bestCpu, (cpuNanos() - c0) / 1e9);
        t0 = System.nanoTime();
        c0 = cpuNanos();
        for (float[] s : src) {
          System.arraycopy(s, 0, dst, 0, n);
        }
        copy = Math.min(copy, (System.nanoTime() - t0) / 1e9);
        copyCpu = Math.min(copyCpu, (cpuNanos() - c0) / 1e9);
      }
      int threads = ForkJoinPool.getCommonPoolParallelism() + 1;
      return String.format(
          Locale.ROOT,
          "bench distributed aggregation backbone=resnet34 workers=%d floats=%d bn_stats=%d"
              + " aggregate_s=%.3f aggregate_gb_per_s=%.2f memcpy_s=%.3f memcpy_gb_per_s=%.2f"
              + " ratio=%.2f decode_one_result_s=%.4f threads=%d aggregate_cpu_s=%.3f"
              + " memcpy_cpu_s=%.3f cpu_ratio=%.2f",
          workers,
          n - layout.count(),
          layout.count(),
          best,
          bytes / best / 1e9,
          copy,
          bytes / copy / 1e9,
          copy / best,
          decodeOne,
          threads,
          bestCpu,
          copyCpu,
          copyCpu * threads / bestCpu);
    } finally {
      pool.shutdownNow();
      pool.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  /** CPU time of every live thread of this JVM, summed. */
  private static long cpuNanos() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    long sum = 0;
    for (long id : threads.getAllThreadIds()) {
      sum += Math.max(0, threads.getThreadCpuTime(id));
    }
    return sum;
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vertx.core.Vertx;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Separate JVMs on 127.0.0.1: the coordinator in this JVM, two worker JVMs; worker w1 is killed
 * with SIGKILL as its step-1 task goes out. Its shard is recomputed by w0 and the final parameters
 * equal those of an uninterrupted embedded run with the same shard plan.
 */
class ClusterKillTest {
  private static final Path FASHION =
      Path.of(System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist"));

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void sigkilledWorkerJvmIsReplacedAndTheRunMatchesTheUninterruptedOne() throws Exception {
    assumeTrue(Files.isDirectory(FASHION), "needs Fashion-MNIST at " + FASHION);
    Map<String, String> keys =
        new TreeMap<>(
            Map.of(
                "dataset",
                "fashion-mnist",
                "data-dir",
                FASHION.toString(),
                "train-limit",
                "96",
                "m",
                "8",
                "k",
                "3",
                "width",
                "0.25",
                "max-steps",
                "4",
                "epochs",
                "1",
                "seed",
                "11"));
    TrainConfig config = TrainConfig.of(keys);
    ImageSet train = Datasets.load("fashion-mnist", FASHION, Split.TRAIN).head(96);
    Normalization norm = Datasets.normalization("fashion-mnist");
    RunResult clean =
        EmbeddedRun.run(
            config, train, norm, CoordinatorOptions.of("clean", 2, ShardingMode.IMAGES));

    String cluster = "relreason-test-" + UUID.randomUUID();
    List<Process> workers = new ArrayList<>();
    Vertx vertx = ClusterSupport.start("127.0.0.1", List.of("127.0.0.1"), 5701, cluster).await();
    try {
      CoordinatorVerticle coordinator =
          new CoordinatorVerticle(
              CoordinatorOptions.of("kill-test", 2, ShardingMode.IMAGES).withDeadlineMs(5000),
              config,
              train);
      vertx.deployVerticle(coordinator).await();
      AtomicBoolean killed = new AtomicBoolean();
      vertx
          .eventBus()
          .addOutboundInterceptor(
              dc -> {
                dc.next();
                if (dc.message().address().equals(Addresses.workerTask("w1"))
                    && dc.body() instanceof ShardTask t
                    && t.getHeader().getStep() == 1
                    && killed.compareAndSet(false, true)) {
                  workers.get(1).destroyForcibly(); // SIGKILL on Linux
                }
              });
      workers.add(spawn("w0", keys, cluster));
      workers.add(spawn("w1", keys, cluster));
      RunResult run = coordinator.result().timeout(200, TimeUnit.SECONDS).await();
      assertThat(killed).isTrue();
      assertThat(run.steps()).isEqualTo(4);
      assertThat(run.faults().reassigned()).isGreaterThanOrEqualTo(1);
      assertThat(run.finalParams())
          .as("parameters equal the uninterrupted run")
          .containsExactly(clean.finalParams());
      assertThat(workers.get(0).waitFor(60, TimeUnit.SECONDS)).as("w0 ends with the run").isTrue();
      assertThat(workers.get(0).exitValue()).isZero();
    } finally {
      workers.forEach(Process::destroyForcibly);
      vertx.close().await();
    }
  }

  private static Process spawn(String id, Map<String, String> keys, String cluster)
      throws Exception {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx1g",
                "-cp",
                cp,
                "org.relreason.coordinator.cluster.ClusterMain",
                "worker",
                "--id",
                id,
                "--cluster-name",
                cluster));
    keys.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
    File log = new File("target/cluster-kill-test-" + id + ".log");
    return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log).start();
  }
}

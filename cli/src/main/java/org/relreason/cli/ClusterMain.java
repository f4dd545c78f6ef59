package org.relreason.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.relreason.coordinator.CoordinatorOptions;
import org.relreason.coordinator.CoordinatorVerticle;
import org.relreason.coordinator.NormBound;
import org.relreason.coordinator.RunResult;
import org.relreason.coordinator.cluster.ClusterSecret;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.coordinator.cluster.FrameGuard;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.eval.OnlineProbe;
import org.relreason.model.run.TrainJob;
import org.relreason.model.train.NativeMemory;
import org.relreason.model.train.PretrainModel;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.DashboardLauncher;
import org.relreason.observe.DashboardOptions;
import org.relreason.observe.MetricsOptions;
import org.relreason.observe.RunObserver;
import org.relreason.observe.WorkerMetrics;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.shard.ShardComputer;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The clustered roles, one JVM each: {@code coordinator} and {@code worker}. Both read the same run
 * configuration (a JSON file and/or {@code --set key=value}); the worker's model-config hash must
 * match the coordinator's or it is refused.
 */
@Command(
    name = "relreason-cluster",
    mixinStandardHelpOptions = true,
    subcommands = {ClusterMain.CoordinatorRole.class, ClusterMain.WorkerRole.class})
public final class ClusterMain {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ClusterMain.class);

  /** Options both roles share. */
  static class Common {
    @Option(names = "--config", description = "JSON file of run configuration keys")
    Path config;

    @Option(
        names = "--set",
        description = "a configuration key=value (repeatable; overrides --config)")
    Map<String, String> set = new LinkedHashMap<>();

    @Option(
        names = "--host",
        defaultValue = "127.0.0.1",
        description = "address to bind and advertise")
    String host;

    @Option(
        names = "--members",
        split = ",",
        defaultValue = "127.0.0.1",
        description = "member hosts (TCP-IP join list)")
    List<String> members = new ArrayList<>();

    @Option(
        names = "--cluster-name",
        defaultValue = "relreason",
        description = "Hazelcast cluster name; only members with the same name join")
    String clusterName;

    @Option(names = "--hz-port", defaultValue = "5701", description = "first Hazelcast port to try")
    int hzPort;

    @Option(
        names = "--bus-port",
        defaultValue = "0",
        description = "event-bus port (0 = any free port; Kubernetes uses 5800)")
    int busPort;

    @Option(
        names = "--bus-public-host",
        description =
            "event-bus host other nodes are told to connect to, when --host does not reach this"
                + " node from them (NAT, port forwarding, a proxy; default: --host)")
    String busPublicHost;

    @Option(
        names = "--bus-public-port",
        defaultValue = "0",
        description =
            "event-bus port other nodes are told to connect to (the forwarded port; 0 = the one"
                + " this node listens on)")
    int busPublicPort;

    @Option(
        names = "--discovery",
        defaultValue = "tcp",
        description = "how members find each other: tcp (the --members list) or kubernetes")
    String discovery;

    @Option(
        names = "--k8s-service-dns",
        description = "with --discovery kubernetes: the headless service's DNS name")
    String k8sServiceDns;

    @Option(
        names = "--tls-key-store",
        description = "PKCS12 key store of this node (turns on event-bus TLS with client certs)")
    Path tlsKeyStore;

    @Option(names = "--tls-trust-store", description = "PKCS12 trust store with the cluster's CA")
    Path tlsTrustStore;

    @Option(
        names = "--tls-password-file",
        description = "file with the stores' password (else env RELREASON_TLS_PASSWORD)")
    Path tlsPasswordFile;

    @Option(
        names = "--cluster-secret-file",
        description =
            "file holding the run secret (>= 32 bytes, readable by its owner only) every node"
                + " shares: each event-bus message carries an HMAC keyed by it; required when --host"
                + " is not a loopback address")
    Path clusterSecretFile;

    @Option(
        names = "--insecure-cluster",
        description =
            "run off loopback without --cluster-secret-file: anyone reaching the ports can read"
                + " the parameters and evict workers (see docs/SECURITY.md)")
    boolean insecureCluster;

    @Option(
        names = "--max-frame-bytes",
        defaultValue = "0",
        description =
            "largest event-bus frame accepted; a peer sending a larger one is disconnected"
                + " (0 = twice the largest message of the configured model)")
    long maxFrameBytes;

    /** The frame limit: {@code --max-frame-bytes}, else derived from the model. */
    int frameLimit(TrainConfig c, ImageSet train) {
      if (maxFrameBytes < 0 || maxFrameBytes > Integer.MAX_VALUE - Integer.BYTES) {
        throw new IllegalArgumentException(
            "--max-frame-bytes must be in 0.."
                + (Integer.MAX_VALUE - 4)
                + ", got "
                + maxFrameBytes);
      }
      if (maxFrameBytes > 0) {
        return (int) maxFrameBytes;
      }
      PretrainModel model = ShardComputer.newModel(c, train);
      return frameLimitOf(model.numParams(), c.m() * c.k(), model.backbone().featureSize());
    }

    ClusterSettings settings() {
      ClusterSettings s =
          new ClusterSettings(
                  host,
                  members,
                  hzPort,
                  clusterName,
                  busPort,
                  ClusterSettings.Discovery.parse(discovery),
                  k8sServiceDns,
                  ClusterSettings.Tls.of(tlsKeyStore, tlsTrustStore, tlsPasswordFile))
              .withBusPublic(busPublicHost, busPublicPort);
      if (clusterSecretFile != null) {
        return s.withSecret(ClusterSecret.read(clusterSecretFile));
      }
      if (s.bindsOffLoopback()) {
        if (!insecureCluster) {
          throw new IllegalArgumentException(
              reachableBecause(s)
                  + " needs --cluster-secret-file FILE, the run secret every node shares (make"
                  + " one with: openssl rand -hex 32 > FILE; chmod 600 FILE), or"
                  + " --insecure-cluster to run without message authentication");
        }
        LOG.warn(
            "*** --insecure-cluster: cluster messages on {} are NOT authenticated; anyone who"
                + " reaches the Hazelcast and event-bus ports can read the parameters, evict"
                + " workers and register fake ones (docs/SECURITY.md) ***",
            host);
      }
      return s;
    }

    /** What makes a node reachable from other machines, as the refusal's subject. */
    private String reachableBecause(ClusterSettings s) {
      if (s.discovery() == ClusterSettings.Discovery.KUBERNETES) {
        return "--discovery kubernetes";
      }
      boolean hostOff = s.withBusPublic(null, 0).bindsOffLoopback();
      return hostOff
          ? "--host " + host + " is not a loopback address and"
          : "--bus-public-host " + busPublicHost + " is not a loopback address and";
    }

    TrainConfig trainConfig() throws Exception {
      Map<String, String> values = new LinkedHashMap<>();
      if (config != null) {
        values.putAll(TrainConfig.readFile(config));
      }
      values.putAll(set);
      return TrainConfig.of(values);
    }

    static ImageSet images(TrainConfig c) throws Exception {
      return TrainJob.trainingImages(c);
    }
  }

  @Command(name = "coordinator", description = "run the parameter server's coordinator")
  public static final class CoordinatorRole implements Callable<Integer> {
    @CommandLine.Mixin Common common = new Common();

    @Option(names = "--workers", required = true, description = "workers to wait for (= shards)")
    int workers;

    @Option(names = "--mode", defaultValue = "images", description = "sharding: images or views")
    String mode;

    @Option(names = "--deadline-ms", defaultValue = "60000", description = "per-shard deadline")
    long deadlineMs;

    @Option(
        names = "--worker-wait-ms",
        defaultValue = "300000",
        description =
            "when every worker is lost mid-run, how long to wait for one to register before the"
                + " run fails (0 = fail at once; default: ${DEFAULT-VALUE})")
    long workerWaitMs;

    @Option(
        names = "--run-id",
        description =
            "run id (default: the one stored in checkpoint-dir by an earlier start, else random)")
    String runId;

    @Option(
        names = "--gradient-norm-ratio",
        defaultValue = "100",
        description =
            "refuse (and recompute) a shard whose gradient or statistic-delta norm is more than"
                + " this many times the median of recent shards' norms, or less than 1/this (0 = off)")
    double normRatio;

    @Option(
        names = "--gradient-norm-warmup",
        defaultValue = "10",
        description = "steps before --gradient-norm-ratio applies")
    int normWarmup;

    @CommandLine.Mixin MetricsOptions metrics = new MetricsOptions(9400);

    @CommandLine.Mixin DashboardOptions dashboard = new DashboardOptions();

    private DashboardLauncher launcher;

    /** Serves the dashboard through {@code l} (the CLI, which has the dashboard module). */
    public CoordinatorRole dashboard(DashboardLauncher l) {
      this.launcher = l;
      return this;
    }

    @Override
    public Integer call() throws Exception {
      TrainConfig config = common.trainConfig();
      ClusterSettings settings = common.settings();
      ImageSet train = Common.images(config);
      ShardingMode m = ShardingMode.valueOf(mode.toUpperCase(Locale.ROOT));
      CoordinatorOptions options =
          CoordinatorOptions.of(runId(runId, config.checkpointDir()), workers, m)
              .withDeadlineMs(deadlineMs)
              .withWorkerWaitMs(workerWaitMs)
              .withNormBound(new NormBound(normRatio, normWarmup, NormBound.DEFAULT.window()));
      DashboardAccess access = dashboard.access();
      NativeMemory.boundGarbage(); // ND4J's periodic collection, as in one process (#13)
      CoordinatorVerticle coordinator = new CoordinatorVerticle(options, config, train);
      Vertx vertx =
          ClusterSupport.start(
                  settings,
                  null,
                  common.frameLimit(config, train),
                  coordinator::frameRefused,
                  coordinator::messageRefused)
              .await();
      OnlineProbe probe = null;
      try {
        RunObserver observer =
            Observability.coordinator(vertx, metrics, access, launcher, config, coordinator);
        coordinator.observer(observer);
        probe = OnlineProbe.of(config, observer.probeListener());
        if (probe != null) {
          coordinator.listener(probe);
        }
        vertx.deployVerticle(coordinator).await();
        RunResult r = coordinator.result().await();
        for (OnlineProbe.Point p : probe == null ? List.<OnlineProbe.Point>of() : probe.finish()) {
          System.out.printf(Locale.ROOT, "probe step %d kNN top-1 %.4f%n", p.step(), p.knnTop1());
        }
        System.out.printf(
            Locale.ROOT,
            "steps %d, final loss %.6f, median step %.1f ms, faults %s%n",
            r.steps(),
            r.steps() == 0 ? Double.NaN : r.losses()[r.steps() - 1],
            r.medianStepMillis(),
            r.faults());
        return 0;
      } finally {
        if (probe != null) {
          probe.close();
        }
        vertx.close().await();
      }
    }
  }

  @Command(name = "worker", description = "run one parameter-server worker")
  public static final class WorkerRole implements Callable<Integer> {
    @CommandLine.Mixin Common common = new Common();

    @Option(names = "--id", required = true, description = "worker id ([A-Za-z0-9_-])")
    String id;

    @Option(
        names = "--register-attempts",
        defaultValue = "60",
        description = "registration retries, 1 s apart")
    int attempts;

    @CommandLine.Mixin MetricsOptions metrics = new MetricsOptions(9401);

    @Override
    public Integer call() throws Exception {
      TrainConfig config = common.trainConfig();
      ClusterSettings settings = common.settings();
      ImageSet train = Common.images(config);
      NativeMemory.boundGarbage(); // ND4J's periodic collection, as in one process (#13)
      Vertx vertx =
          ClusterSupport.start(settings, null, common.frameLimit(config, train), detail -> {})
              .await();
      try {
        WorkerMetrics observed = Observability.worker(vertx, metrics);
        WorkerVerticle worker = null;
        for (int i = 1; worker == null; i++) {
          WorkerVerticle candidate =
              new WorkerVerticle(
                      WorkerOptions.of(id).withHost(common.host),
                      config,
                      train,
                      Datasets.normalization(config.dataset()))
                  .observer(observed);
          Future<String> deployed = vertx.deployVerticle(candidate);
          try {
            deployed.await();
            worker = candidate;
          } catch (Exception e) {
            // the coordinator's handlers may not have propagated through the cluster yet
            if (i >= attempts || String.valueOf(e.getMessage()).contains("refused")) {
              throw e;
            }
            Thread.sleep(1000);
          }
        }
        System.out.println("worker " + id + " ended: " + worker.ended().await().getReason());
        return 0;
      } finally {
        vertx.close().await();
      }
    }
  }

  /**
   * The frame limit for a model: twice its largest message plus the envelope. The largest are a
   * shard result (gradient and statistic deltas, at most two floats per parameter), a parameter
   * snapshot (one float per parameter) and, in VIEWS mode, a minibatch's features ({@code rows} of
   * {@code featureSize} floats).
   */
  static int frameLimitOf(long params, int rows, int featureSize) {
    long largest = Float.BYTES * Math.max(2 * params, (long) rows * featureSize);
    long limit = 2 * largest + FrameGuard.ENVELOPE_BYTES;
    return (int) Math.min(limit, ClusterSupport.DEFAULT_MAX_FRAME_BYTES);
  }

  /**
   * The run id: {@code given} if set; else, with a checkpoint directory, the id an earlier start of
   * this run stored there (so a restarted coordinator keeps its run id); else a random one. The id
   * in use is stored in {@code checkpointDir/run-id} (written atomically).
   */
  static String runId(String given, String checkpointDir) throws IOException {
    if (checkpointDir.isEmpty()) {
      return given != null ? given : UUID.randomUUID().toString();
    }
    Path dir = Path.of(checkpointDir);
    Path file = dir.resolve("run-id");
    String stored = Files.isRegularFile(file) ? Files.readString(file).strip() : null;
    String id = given != null ? given : stored != null ? stored : UUID.randomUUID().toString();
    if (!id.equals(stored)) {
      Files.createDirectories(dir);
      Path tmp = Files.createTempFile(dir, "run-id", ".tmp");
      Files.writeString(tmp, id + "\n");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
    return id;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new ClusterMain()).execute(args));
  }
}

package org.relreason.coordinator;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.relreason.cli.EmbeddedRun;
import org.relreason.coordinator.cluster.ClusterSecret;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.protocol.v1.ShardingMode;

/**
 * The set-up the cross-JVM tests share: a small Fashion-MNIST run configuration, a cluster name and
 * Hazelcast port base of their own (parallel test runs on the machine must not join each other),
 * and {@code ClusterMain} role processes started with this test's class path, each logging to
 * {@code target/<name>.log}, on loopback or {@linkplain Placement placed} elsewhere (another
 * network namespace). {@link #close()} SIGKILLs whatever is still running.
 */
final class ClusterProcesses implements AutoCloseable {
  static final Path FASHION =
      Path.of(System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist"));

  final String cluster = "relreason-test-" + UUID.randomUUID();
  final int hzPort = freePortBase();
  final Map<String, String> keys;
  private final List<Process> started = new ArrayList<>();

  /**
   * @param steps max-steps of the run (Conv-4 at width 0.25, M=8, K=3, 96 images, seed 11)
   * @param extra more configuration keys
   */
  ClusterProcesses(int steps, Map<String, String> extra) {
    keys = new TreeMap<>();
    keys.putAll(
        Map.of(
            "dataset", "fashion-mnist",
            "data-dir", FASHION.toString(),
            "train-limit", "96",
            "m", "8",
            "k", "3",
            "width", "0.25",
            "max-steps", Integer.toString(steps),
            "epochs", "1",
            "seed", "11"));
    keys.putAll(extra);
  }

  static boolean haveData() {
    return Files.isDirectory(FASHION);
  }

  /**
   * Skips the calling test without the dataset, except under CI ({@code CI=true}), where a missing
   * dataset fails it: a CI run that skipped every cluster test would look green.
   */
  static void requireData() {
    String message = "needs Fashion-MNIST at " + FASHION;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.assertTrue(haveData(), message + " (CI=true: not skipped)");
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(haveData(), message);
  }

  /** A loopback port free now. */
  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  TrainConfig config() {
    return TrainConfig.of(keys);
  }

  ImageSet images() throws IOException {
    return Datasets.load("fashion-mnist", FASHION, Split.TRAIN).head(96);
  }

  /**
   * The reference the cross-JVM runs must equal: {@code config} on {@code train} as an embedded
   * parameter server in this JVM, with 2 workers sharding by {@code mode}.
   */
  static RunResult embedded(TrainConfig config, ImageSet train, ShardingMode mode) {
    return EmbeddedRun.run(
        config,
        train,
        Datasets.normalization("fashion-mnist"),
        CoordinatorOptions.of("embedded", 2, mode));
  }

  /** The loopback settings for a node of this test's cluster in the test JVM. */
  ClusterSettings settings() {
    return new ClusterSettings(
        "127.0.0.1",
        List.of("127.0.0.1"),
        hzPort,
        cluster,
        0,
        ClusterSettings.Discovery.TCP,
        null,
        null);
  }

  /**
   * The settings for the coordinator's node in the test JVM when the workers are off loopback: it
   * binds and advertises {@code host}, joins {@code members}, authenticates with {@code secret}.
   */
  ClusterSettings settings(String host, List<String> members, ClusterSecret secret) {
    return new ClusterSettings(
            host, members, hzPort, cluster, 0, ClusterSettings.Discovery.TCP, null, null)
        .withSecret(secret);
  }

  /**
   * Where a role process runs and how it joins: a command its {@code java} runs under (e.g. {@code
   * ip netns exec NS}), and its {@code --host}, {@code --members} and {@code
   * --cluster-secret-file}, each left to the role's default when null. {@link #LOOPBACK} adds
   * nothing.
   */
  record Placement(List<String> prefix, String host, List<String> members, Path secretFile) {
    static final Placement LOOPBACK = new Placement(List.of(), null, null, null);

    Placement {
      prefix = List.copyOf(prefix);
    }

    /** The role's options for this placement. */
    List<String> args() {
      List<String> args = new ArrayList<>();
      if (host != null) {
        args.addAll(List.of("--host", host));
      }
      if (members != null) {
        args.addAll(List.of("--members", String.join(",", members)));
      }
      if (secretFile != null) {
        args.addAll(List.of("--cluster-secret-file", secretFile.toString()));
      }
      return args;
    }
  }

  /**
   * Starts {@code ClusterMain worker --id id}, logging to {@code target/cluster-worker-<id>.log}.
   */
  Process worker(String id, String... more) throws IOException {
    return workerLoggingTo("worker-" + id, id, more);
  }

  /**
   * As {@link #worker}, logging to {@code target/cluster-<log>.log} (a restart keeps the old log).
   */
  Process workerLoggingTo(String log, String id, String... more) throws IOException {
    return worker(log, id, Placement.LOOPBACK, more);
  }

  /**
   * Starts {@code ClusterMain worker --id id} placed as {@code where} says, logging to {@code
   * target/cluster-<log>.log}.
   */
  Process worker(String log, String id, Placement where, String... more) throws IOException {
    // metrics off: parallel test JVMs must not all bind the default port 9401
    List<String> args = new ArrayList<>(List.of("worker", "--id", id, "--metrics-port", "0"));
    args.addAll(where.args());
    args.addAll(List.of(more));
    return role(log, where.prefix(), args);
  }

  /**
   * Starts {@code ClusterMain coordinator --workers n ...}; its log is {@code target/<log>.log}.
   */
  Process coordinator(String log, int workers, String... more) throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "coordinator",
                "--workers",
                Integer.toString(workers),
                // no dashboard (this launcher has none) and no metrics server on fixed ports
                "--dashboard-port",
                "0",
                "--metrics-port",
                "0"));
    args.addAll(List.of(more));
    return role(log, List.of(), args);
  }

  /** The log file of a started process. */
  static Path log(String name) {
    return Path.of("target", "cluster-" + name + ".log");
  }

  private Process role(String log, List<String> prefix, List<String> roleArgs) throws IOException {
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(prefix);
    cmd.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-Xmx1g",
            "-cp",
            cp,
            "org.relreason.cli.ClusterMain"));
    cmd.addAll(roleArgs);
    cmd.addAll(List.of("--cluster-name", cluster, "--hz-port", Integer.toString(hzPort)));
    keys.forEach((k, v) -> cmd.addAll(List.of("--set", k + "=" + v)));
    File out = log(log).toFile();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out).start();
    started.add(p);
    return p;
  }

  /**
   * A port with (probably) two free ports after it: Hazelcast members of one test find each other
   * by trying three ports from the base, away from the 5701 that other runs on this machine use.
   */
  private static int freePortBase() {
    for (int i = 0; i < 50; i++) {
      int base = 20000 + new java.util.Random().nextInt(20000);
      if (free(base) && free(base + 1) && free(base + 2)) {
        return base;
      }
    }
    throw new IllegalStateException("no three free ports in a row found");
  }

  private static boolean free(int port) {
    try (ServerSocket s = new ServerSocket(port, 1, java.net.InetAddress.getLoopbackAddress())) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public void close() {
    started.forEach(Process::destroyForcibly);
  }
}

package org.relreason.k8s;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * What the manifests and the dashboard may refer to: the flags of {@code relreason coordinator} and
 * {@code relreason worker}, their fixed ports, and the series the processes export.
 *
 * <p>Both lists are the shared contract of issue #4 written down by hand, because the flags and the
 * metrics are being built in other branches. Once those are merged, {@link #flags(String)} should
 * ask picocli's model of {@code ClusterMain} and {@link #exportedSeries()} should scrape a live
 * registry; every test goes through these two methods, so that is the only change.
 */
final class ClusterContract {
  static final String COORDINATOR = "coordinator";
  static final String WORKER = "worker";

  static final int HAZELCAST_PORT = 5701;
  static final int EVENT_BUS_PORT = 5800;
  static final int COORDINATOR_METRICS_PORT = 9400;
  static final int WORKER_METRICS_PORT = 9401;
  static final int DASHBOARD_PORT = 8080;

  private static final Set<String> COMMON =
      Set.of(
          "--config",
          "--set",
          "--host",
          "--members",
          "--cluster-name",
          "--hz-port",
          "--bus-port",
          "--discovery",
          "--k8s-service-dns",
          "--tls-key-store",
          "--tls-trust-store",
          "--tls-password-file",
          "--metrics-port",
          "--metrics-host");

  private static final Set<String> COORDINATOR_ONLY =
      Set.of(
          "--workers",
          "--mode",
          "--deadline-ms",
          "--run-id",
          "--dashboard-port",
          "--dashboard-host",
          "--dashboard-token-file",
          "--dashboard-insecure");

  private static final Set<String> WORKER_ONLY = Set.of("--id", "--register-attempts");

  /** Flags that take no value. */
  static final Set<String> SWITCHES = Set.of("--dashboard-insecure");

  private ClusterContract() {}

  /** Every long option the given role accepts. */
  static Set<String> flags(String role) {
    Set<String> out = new TreeSet<>(COMMON);
    switch (role) {
      case COORDINATOR -> out.addAll(COORDINATOR_ONLY);
      case WORKER -> out.addAll(WORKER_ONLY);
      default -> throw new IllegalArgumentException("no clustered role named '" + role + "'");
    }
    return out;
  }

  /**
   * The series names as they appear in a Prometheus scrape of the coordinator and the workers
   * (counters with {@code _total}; histograms as {@code _bucket}, {@code _sum}, {@code _count}).
   */
  static Set<String> exportedSeries() throws IOException {
    try (InputStream in = ClusterContract.class.getResourceAsStream("/exported-metrics.txt")) {
      if (in == null) {
        throw new IOException("test resource exported-metrics.txt is missing");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return Arrays.stream(text.split("\n"))
          .map(String::strip)
          .filter(l -> !l.isEmpty() && !l.startsWith("#"))
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }
}

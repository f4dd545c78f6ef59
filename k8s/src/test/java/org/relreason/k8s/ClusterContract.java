package org.relreason.k8s;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.relreason.cli.ClusterMain;
import org.relreason.observe.CoordinatorMetrics;
import org.relreason.observe.MessageBytes;
import org.relreason.observe.Registries;
import org.relreason.observe.WorkerMetrics;
import picocli.CommandLine;

/**
 * What the manifests and the dashboard may refer to: the flags of {@code relreason coordinator} and
 * {@code relreason worker}, their fixed ports, and the series the processes export.
 *
 * <p>Both lists are the shared contract of issue #4 written down by hand, because the flags and the
 * metrics were built in parallel; {@link #exportedSeries()} now scrapes the real metric classes,
 * and {@link #flags(String)} is checked against picocli's model of {@code ClusterMain} by a test.
 */
final class ClusterContract {
  static final String COORDINATOR = "coordinator";
  static final String WORKER = "worker";

  static final int HAZELCAST_PORT = 5701;
  static final int EVENT_BUS_PORT = 5800;
  static final int COORDINATOR_METRICS_PORT = 9400;
  static final int WORKER_METRICS_PORT = 9401;
  static final int DASHBOARD_PORT = 8080;

  /** Flags that take no value (boolean options of either role). */
  static final Set<String> SWITCHES = switches();

  private ClusterContract() {}

  /** Every long option the given role accepts, read from picocli's model of {@code ClusterMain}. */
  static Set<String> flags(String role) {
    Set<String> out = new TreeSet<>();
    for (CommandLine.Model.OptionSpec o : spec(role).options()) {
      if (o.longestName().startsWith("--")) {
        out.add(o.longestName());
      }
    }
    out.removeAll(Set.of("--help", "--version"));
    return out;
  }

  private static CommandLine.Model.CommandSpec spec(String role) {
    return switch (role) {
      case COORDINATOR -> new CommandLine(new ClusterMain.CoordinatorRole()).getCommandSpec();
      case WORKER -> new CommandLine(new ClusterMain.WorkerRole()).getCommandSpec();
      default -> throw new IllegalArgumentException("no clustered role named '" + role + "'");
    };
  }

  private static Set<String> switches() {
    Set<String> out = new TreeSet<>();
    for (String role : List.of(COORDINATOR, WORKER)) {
      for (CommandLine.Model.OptionSpec o : spec(role).options()) {
        if (o.arity().max() == 0) {
          out.add(o.longestName());
        }
      }
    }
    return out;
  }

  /**
   * The series names as they appear in a Prometheus scrape of the coordinator and of a worker
   * (counters with {@code _total}; histograms as {@code _bucket}, {@code _sum}, {@code _count}):
   * the real metric classes on fresh registries with the JVM metrics, scraped in the text format
   * after one evaluation result (the only family that has no series before its first value).
   */
  static Set<String> exportedSeries() {
    PrometheusRegistry coordinator = Registries.withJvmMetrics();
    CoordinatorMetrics c = new CoordinatorMetrics(coordinator, new MessageBytes(coordinator), 8);
    c.onEvaluation("linear", "fashion-mnist", 0.5);
    c.onCheckpoint(Path.of("checkpoint"), 0.1, 1);
    PrometheusRegistry worker = Registries.withJvmMetrics();
    WorkerMetrics w = new WorkerMetrics(worker, new MessageBytes(worker));
    w.onShard(4, 0.1);
    Set<String> names = new TreeSet<>();
    names.addAll(seriesIn(Registries.scrape(coordinator)));
    names.addAll(seriesIn(Registries.scrape(worker)));
    return names;
  }

  private static Set<String> seriesIn(byte[] scrape) {
    return Arrays.stream(new String(scrape, StandardCharsets.UTF_8).split("\n"))
        .filter(l -> !l.isBlank() && !l.startsWith("#"))
        .map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }
}

package org.relreason.cli;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.relreason.coordinator.CoordinatorVerticle;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.method.Methods;
import org.relreason.observe.CoordinatorMetrics;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.DashboardLauncher;
import org.relreason.observe.MessageBytes;
import org.relreason.observe.MetricsOptions;
import org.relreason.observe.MetricsServer;
import org.relreason.observe.Registries;
import org.relreason.observe.RunObserver;
import org.relreason.observe.WorkerMetrics;

/** Metrics (and the dashboard) of the clustered roles, one registry per process. */
public final class Observability {
  private Observability() {}

  /**
   * Starts the coordinator's metrics server and dashboard (as asked) on {@code vertx}, blocking
   * until they listen; returns what the coordinator must report to. {@code /health/ready} answers
   * 200 while the run is running (this node has joined the cluster once {@code vertx} exists).
   *
   * @param launcher the dashboard, or null when this launcher has none
   */
  public static RunObserver coordinator(
      Vertx vertx,
      MetricsOptions metrics,
      DashboardAccess dashboard,
      DashboardLauncher launcher,
      TrainConfig config,
      CoordinatorVerticle coordinator) {
    PrometheusRegistry registry = Registries.withJvmMetrics();
    CoordinatorMetrics m =
        new CoordinatorMetrics(
            registry, new MessageBytes(registry), config.m() * Methods.viewsPerImage(config));
    BooleanSupplier ready = () -> m.state() == RunObserver.RunState.RUNNING;
    if (metrics.enabled()) {
      vertx
          .deployVerticle(
              new MetricsServer(metrics.host(), metrics.port(), registry, ready, metrics.token()))
          .await();
    }
    if (!dashboard.enabled()) {
      return m;
    }
    if (launcher == null) {
      throw new IllegalArgumentException(
          "--dashboard-port "
              + dashboard.port()
              + ": this launcher has no dashboard (use"
              + " ./relreason coordinator, or --dashboard-port 0)");
    }
    RunObserver page =
        launcher
            .start(vertx, dashboard, config, coordinator::currentParams, registry, ready)
            .await();
    return RunObserver.both(m, page);
  }

  /**
   * Starts a worker's metrics server (as asked); returns the worker's metrics. {@code
   * /health/ready} answers 200 while the worker is registered with the coordinator.
   */
  public static WorkerMetrics worker(Vertx vertx, MetricsOptions metrics) {
    PrometheusRegistry registry = Registries.withJvmMetrics();
    WorkerMetrics m = new WorkerMetrics(registry, new MessageBytes(registry));
    if (metrics.enabled()) {
      vertx
          .deployVerticle(
              new MetricsServer(
                  metrics.host(), metrics.port(), registry, m::registered, metrics.token()))
          .await();
    }
    return m;
  }
}

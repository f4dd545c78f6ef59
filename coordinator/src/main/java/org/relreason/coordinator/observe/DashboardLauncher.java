package org.relreason.coordinator.observe;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.relreason.coordinator.CoordinatorVerticle;
import org.relreason.coordinator.RunObserver;
import org.relreason.model.config.TrainConfig;

/**
 * Starts the web dashboard next to a clustered coordinator. The dashboard lives in a module that
 * depends on this one, so the launcher that has both (the CLI) hands an implementation to {@code
 * ClusterMain.CoordinatorRole}.
 */
@FunctionalInterface
public interface DashboardLauncher {
  /**
   * Deploys the dashboard on {@code vertx}; completes with the observer the coordinator must report
   * to.
   *
   * @param registry what the dashboard's {@code /metrics} exposes
   * @param ready whether {@code /health/ready} answers 200
   */
  Future<RunObserver> start(
      Vertx vertx,
      DashboardAccess access,
      TrainConfig config,
      CoordinatorVerticle coordinator,
      PrometheusRegistry registry,
      BooleanSupplier ready);
}

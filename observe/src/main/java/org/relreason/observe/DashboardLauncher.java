package org.relreason.observe;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.function.BooleanSupplier;
import org.relreason.model.config.TrainConfig;

/**
 * Starts the web dashboard next to a clustered coordinator. The dashboard knows neither the
 * coordinator nor the CLI: the CLI, which has both, hands an implementation to {@code
 * ClusterMain.CoordinatorRole}, and the dashboard reads the run through {@code params} and the
 * observer it returns.
 */
@FunctionalInterface
public interface DashboardLauncher {
  /**
   * Deploys the dashboard on {@code vertx}; completes with the observer the coordinator must report
   * to.
   *
   * @param params the run's current parameters (the retrieval panel)
   * @param registry what the dashboard's {@code /metrics} exposes
   * @param ready whether {@code /health/ready} answers 200
   */
  Future<RunObserver> start(
      Vertx vertx,
      DashboardAccess access,
      TrainConfig config,
      ParamsSource params,
      PrometheusRegistry registry,
      BooleanSupplier ready);
}

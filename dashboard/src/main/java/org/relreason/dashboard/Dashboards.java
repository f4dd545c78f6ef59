package org.relreason.dashboard;

import org.relreason.observe.DashboardLauncher;
import org.relreason.observe.RunObserver;

/** The dashboard of a clustered coordinator ({@code relreason coordinator --dashboard-port N}). */
public final class Dashboards {
  private Dashboards() {}

  /** Deploys a {@link DashboardVerticle} next to the coordinator and prints its address. */
  public static DashboardLauncher launcher() {
    return (vertx, access, config, params, registry, ready) -> {
      DashboardState state = new DashboardState(config.asMap(), config.dataset(), "clustered");
      DashboardVerticle v =
          new DashboardVerticle(
              access, state, registry, ready, params, () -> RunWatch.retrieval(config));
      return vertx
          .deployVerticle(v)
          .map(
              id -> {
                System.out.println("dashboard: " + v.url() + v.tokenNote());
                return (RunObserver) state;
              });
    };
  }
}

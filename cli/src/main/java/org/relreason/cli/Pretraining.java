package org.relreason.cli;

import java.util.concurrent.atomic.AtomicReference;
import org.relreason.coordinator.CoordinatorVerticle;
import org.relreason.dashboard.RunWatch;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.run.Pretrainer;
import org.relreason.observe.StepBoundParams;

/**
 * How {@code train} pre-trains, wired to what watches it: the single-process trainer, or the
 * embedded parameter server (a coordinator and {@code workers} worker verticles in this JVM), with
 * the run's metrics, dashboard and current parameters hooked in. The one place that knows both the
 * dashboard and the roles.
 */
public final class Pretraining {
  private Pretraining() {}

  /** The configured way to pre-train, reporting to {@code watch}. */
  public static Pretrainer watched(TrainConfig config, RunWatch watch) {
    if (config.workers() == 0) {
      StepBoundParams params = new StepBoundParams();
      watch.params(params);
      return watch.watched(params.pretrainer());
    }
    AtomicReference<CoordinatorVerticle> coordinator = new AtomicReference<>();
    watch.params(
        () -> {
          CoordinatorVerticle c = coordinator.get();
          return c == null ? null : c.currentParams();
        });
    EmbeddedRun.Hooks hooks =
        new EmbeddedRun.Hooks(watch.observer(), watch.workers(), coordinator::set);
    return watch.watched(new ParameterServerPretrainer(hooks));
  }
}

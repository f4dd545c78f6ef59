package org.relreason.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.relreason.coordinator.CoordinatorOptions;
import org.relreason.coordinator.RunResult;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.run.PretrainResult;
import org.relreason.model.run.Pretrainer;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Pre-training by the embedded parameter server: one JVM, a coordinator and {@code workers} worker
 * verticles on a local event bus ({@code train --workers N}).
 */
public final class ParameterServerPretrainer implements Pretrainer {
  private final EmbeddedRun.Hooks hooks;

  /** Unwatched. */
  public ParameterServerPretrainer() {
    this(EmbeddedRun.Hooks.NONE);
  }

  /** Watched by {@code hooks} (metrics, dashboard). */
  public ParameterServerPretrainer(EmbeddedRun.Hooks hooks) {
    this.hooks = hooks;
  }

  @Override
  public Outcome pretrain(
      TrainConfig config, ImageSet train, Normalization norm, TrainListener listener) {
    ShardingMode mode = ShardingMode.valueOf(config.sharding().toUpperCase(Locale.ROOT));
    List<PretrainResult.EpochStats> history = new ArrayList<>();
    StepReport[] last = new StepReport[1];
    TrainListener recording =
        new TrainListener() {
          @Override
          public void onStep(StepReport r) {
            last[0] = r;
            listener.onStep(r);
          }

          @Override
          public void onEpochEnd(int epoch, StepStats s) {
            history.add(
                new PretrainResult.EpochStats(
                    epoch, s.loss(), s.positiveAccuracy(), s.negativeAccuracy()));
            listener.onEpochEnd(epoch, s);
          }

          @Override
          public void afterStep(long globalStep, java.util.function.Supplier<float[]> params) {
            listener.afterStep(globalStep, params);
          }
        };
    CoordinatorOptions options =
        CoordinatorOptions.of(UUID.randomUUID().toString(), config.workers(), mode);
    RunResult r = EmbeddedRun.run(config, train, norm, options, recording, hooks);
    // the coordinator's own figure at the last step: it counts the method's views per image
    double vps = last[0] == null ? 0 : last[0].viewsPerSecond();
    StepStats lastStats = last[0] == null ? null : last[0].stats();
    PretrainResult result =
        new PretrainResult(r.steps(), r.steps(), r.seconds(), vps, lastStats, history, Map.of());
    return new Outcome(result, r.finalParams());
  }
}

package org.relreason.model.train;

import org.relreason.model.config.LearningRateSchedule;
import org.relreason.model.config.TrainConfig;

/**
 * The optimizer of a run, the same in the single process and on the parameter server: the method's
 * own ({@link PretrainModel#optimizer}: Adam, or the supervised baseline's SGD), given the run's
 * learning-rate schedule and decoupled weight decay when it is Adam, and behind gradient clipping
 * when {@code grad-clip} is set. With the defaults (constant rate, no decay, no clipping) it is the
 * method's optimizer unchanged: the paper's constant Adam.
 */
public final class Optimizers {
  private Optimizers() {}

  /** The optimizer for a run of {@code totalSteps} steps of {@code model} under {@code config}. */
  public static Optimizer forRun(PretrainModel model, TrainConfig config, long totalSteps) {
    Optimizer o = model.optimizer(config.learningRate(), totalSteps);
    LearningRateSchedule schedule =
        new LearningRateSchedule(config.lrSchedule(), config.warmupSteps(), totalSteps);
    if (!schedule.isConstant() || config.weightDecay() > 0) {
      if (!(o instanceof Adam adam)) {
        // TrainConfig refuses these keys for the methods whose optimizer is not Adam
        throw new IllegalStateException(
            "lr-schedule, warmup-steps and weight-decay apply to Adam; method "
                + config.method().id()
                + " uses "
                + o.getClass().getSimpleName());
      }
      o = adam.withSchedule(schedule, config.weightDecay());
    }
    if (config.gradClip() > 0) {
      o = new GradientClipping(o, config.gradClip(), model.statisticsMask());
    }
    return o;
  }
}

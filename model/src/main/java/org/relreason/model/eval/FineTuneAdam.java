package org.relreason.model.eval;

import java.util.Objects;

/**
 * Adam with two parameter groups over one flat float vector — the backbone's values first, then the
 * head's — as PyTorch's {@code Adam([{backbone, lr 1e-3, weight_decay 1e-5}, {head, lr 1e-4,
 * weight_decay 1e-5}])} that the paper's fine-tuning uses: L2 weight decay added to the gradient
 * ({@code g + λ p}, PyTorch's {@code Adam}, not AdamW's decoupled decay), then Kingma and Ba's
 * update with bias correction, {@code p -= lr · f · m̂ / (sqrt(v̂) + ε)} where {@code f} is the
 * schedule's factor ({@link FineTuneConfig#rateFactor}).
 *
 * <p>Positions of batch-norm running statistics (the backbone's {@code statisticsMask()}) are not
 * optimised and not decayed: their "gradient" is the running-average delta, applied as {@code p -=
 * g} once per step, as the project's other optimizers do ({@code train.Adam}, {@code train.Sgd}).
 *
 * <p>On the decay schedule: the paper's script ({@code train_linear_evaluation.py} with {@code
 * --finetune True}, repository mpatacchiola/self-supervised-relational-reasoning) builds {@code
 * StandardModel(feature_extractor, num_classes)} with its default {@code tot_epochs=200} and runs
 * {@code --epochs} (default 100) epochs, while {@code StandardModel.finetune} divides the rates at
 * {@code epoch == int(tot_epochs * 0.5)} or {@code int(tot_epochs * 0.75)}, i.e. epochs 100 and
 * 150: with 100 epochs the decay never fires, and the paper's fine-tuning numbers come from
 * constant rates. Here the steps fire at 50% and 75% of the configured epochs, as the paper states.
 *
 * <p>Lifecycle: construct → {@link #setRateFactor} at the start of each epoch → {@link #step} once
 * per minibatch. Not thread-safe.
 */
public final class FineTuneAdam {
  private static final double BETA1 = 0.9;
  private static final double BETA2 = 0.999;
  private static final double EPSILON = 1e-8;

  private final int headFrom;
  private final double backboneRate;
  private final double headRate;
  private final double weightDecay;
  private final boolean[] statistics;
  private final float[] m;
  private final float[] v;
  private double factor = 1;
  private long t;

  /**
   * @param length values in the flat vector
   * @param headFrom index of the head's first value (the backbone's size)
   * @param statisticsMask length {@code length}; true at batch-norm running statistics
   * @param config rates and weight decay
   */
  public FineTuneAdam(int length, int headFrom, boolean[] statisticsMask, FineTuneConfig config) {
    Objects.requireNonNull(config, "config");
    if (statisticsMask.length != length) {
      throw new IllegalArgumentException(
          "statistics mask has " + statisticsMask.length + " entries for " + length + " values");
    }
    if (headFrom < 0 || headFrom > length) {
      throw new IllegalArgumentException("head start " + headFrom + " outside [0, " + length + "]");
    }
    this.headFrom = headFrom;
    this.backboneRate = config.backboneLearningRate();
    this.headRate = config.headLearningRate();
    this.weightDecay = config.weightDecay();
    this.statistics = statisticsMask.clone();
    this.m = new float[length];
    this.v = new float[length];
  }

  /** Sets the schedule's factor on both rates (1 before the first milestone). */
  public void setRateFactor(double f) {
    if (!(f > 0)) {
      throw new IllegalArgumentException("rate factor must be > 0, got " + f);
    }
    factor = f;
  }

  /** The rate of position {@code i} at the current factor. */
  public double rate(int i) {
    return (i < headFrom ? backboneRate : headRate) * factor;
  }

  /** Steps taken. */
  public long steps() {
    return t;
  }

  /** Applies one update to {@code params} in place. */
  public void step(float[] params, float[] gradient) {
    if (params.length != m.length || gradient.length != m.length) {
      throw new IllegalArgumentException(
          "fine-tune Adam over "
              + m.length
              + " values got "
              + params.length
              + " parameters and "
              + gradient.length
              + " gradients");
    }
    t++;
    double c1 = 1 - Math.pow(BETA1, t);
    double c2 = 1 - Math.pow(BETA2, t);
    for (int i = 0; i < params.length; i++) {
      if (statistics[i]) {
        params[i] -= gradient[i];
        continue;
      }
      double g = gradient[i] + weightDecay * params[i];
      m[i] = (float) (BETA1 * m[i] + (1 - BETA1) * g);
      v[i] = (float) (BETA2 * v[i] + (1 - BETA2) * g * g);
      double mHat = m[i] / c1;
      double vHat = v[i] / c2;
      params[i] -= (float) (rate(i) * mHat / (Math.sqrt(vHat) + EPSILON));
    }
  }
}

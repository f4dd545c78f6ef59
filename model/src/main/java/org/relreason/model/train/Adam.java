package org.relreason.model.train;

import org.relreason.model.config.LearningRateSchedule;

/**
 * Adam (Kingma and Ba, ICLR 2015, Algorithm 1) on a flat float vector, with PyTorch's defaults (β1
 * 0.9, β2 0.999, ε 1e-8, no weight decay), as the paper uses it.
 *
 * <p>Lifecycle: construct with the vector length and a mask of batch-norm running statistics →
 * {@link #step(float[], float[])} once per minibatch → {@link #state()} / {@link #restore} for
 * checkpoints. Masked positions are not optimised: their "gradient" is a running-statistic delta
 * applied as {@code p -= g} (see {@code Backbone.statisticsMask()}).
 *
 * <p>Options beyond the paper (#15), both off by default: a {@link LearningRateSchedule} (the rate
 * of step t is {@code lr · schedule.factor(t)}) and decoupled weight decay, AdamW (Loshchilov and
 * Hutter, ICLR 2019, Algorithm 2, as PyTorch's {@code AdamW}: {@code p ← p − lr_t · λ · p} before
 * the Adam update, on every optimised position). See {@link #withSchedule}.
 *
 * <p>Arithmetic is sequential in float/double on the JVM, so a step is bit-reproducible wherever it
 * runs; that is what lets a parameter server and a single process agree exactly.
 */
public final class Adam implements Optimizer {
  private final double learningRate;
  private final double beta1;
  private final double beta2;
  private final double epsilon;
  private final boolean[] statistics;
  private final LearningRateSchedule schedule;
  private final double weightDecay;
  private final float[] m;
  private final float[] v;
  private long t;

  /** Adam with PyTorch's default betas and epsilon. */
  public Adam(int length, double learningRate, boolean[] statisticsMask) {
    this(length, learningRate, 0.9, 0.999, 1e-8, statisticsMask);
  }

  public Adam(
      int length,
      double learningRate,
      double beta1,
      double beta2,
      double epsilon,
      boolean[] statisticsMask) {
    this(
        length,
        learningRate,
        beta1,
        beta2,
        epsilon,
        statisticsMask,
        LearningRateSchedule.CONSTANT,
        0);
  }

  private Adam(
      int length,
      double learningRate,
      double beta1,
      double beta2,
      double epsilon,
      boolean[] statisticsMask,
      LearningRateSchedule schedule,
      double weightDecay) {
    if (statisticsMask.length != length) {
      throw new IllegalArgumentException(
          "statistics mask has "
              + statisticsMask.length
              + " entries for "
              + length
              + " parameters");
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learning rate must be positive, got " + learningRate);
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weight decay must be >= 0, got " + weightDecay);
    }
    this.statistics = statisticsMask.clone();
    this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    this.weightDecay = weightDecay;
    this.m = new float[length];
    this.v = new float[length];
  }

  /**
   * This Adam (same length, rate, betas, epsilon and mask, no steps taken) with a learning-rate
   * schedule and decoupled weight decay {@code λ}: AdamW when {@code λ > 0}.
   */
  public Adam withSchedule(LearningRateSchedule schedule, double weightDecay) {
    if (t != 0) {
      throw new IllegalStateException("schedule set after " + t + " steps");
    }
    return new Adam(
        m.length, learningRate, beta1, beta2, epsilon, statistics, schedule, weightDecay);
  }

  /** The learning rate of the next step. */
  public double nextLearningRate() {
    return learningRate * schedule.factor(t);
  }

  /** Steps taken so far. */
  @Override
  public long steps() {
    return t;
  }

  /**
   * Applies one update to {@code params} in place. The state never becomes non-finite: a non-finite
   * gradient is refused before anything changes, and the second moment is clamped to the largest
   * float.
   *
   * @throws IllegalArgumentException if a gradient value is NaN or infinite
   */
  @Override
  public void step(float[] params, float[] gradient) {
    if (params.length != m.length || gradient.length != m.length) {
      throw new IllegalArgumentException(
          "Adam over "
              + m.length
              + " values got "
              + params.length
              + " parameters and "
              + gradient.length
              + " gradients");
    }
    for (int i = 0; i < gradient.length; i++) {
      if (!Float.isFinite(gradient[i])) { // checked before anything changes
        throw new IllegalArgumentException("gradient[" + i + "] is " + gradient[i]);
      }
    }
    double lr = learningRate * schedule.factor(t);
    float decay = (float) (1 - lr * weightDecay);
    t++;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    for (int i = 0; i < params.length; i++) {
      float g = gradient[i];
      if (statistics[i]) {
        params[i] -= g;
        continue;
      }
      // The moments are stored in float but updated in double with the same β as the bias
      // corrections c1, c2: with float β's, (1 - 0.999f) is 1.3e-5 away from 1 - 0.999, so every
      // step came out 7e-6 (relative) longer than PyTorch's, a drift the parity fixture sees.
      double mi = beta1 * m[i] + (1 - beta1) * g;
      double vi = beta2 * v[i] + (1 - beta2) * ((double) g * g);
      m[i] = (float) mi;
      // For |g| > 5.8e20 the second moment exceeds the float range: stored as infinity it would
      // freeze the parameter for good (m / sqrt(inf) = 0); clamped instead (finite values keep
      // their bits).
      v[i] = (float) Math.min(vi, Float.MAX_VALUE);
      if (weightDecay > 0) {
        params[i] *= decay;
      }
      params[i] = (float) (params[i] - lr * (mi / c1) / (Math.sqrt(vi / c2) + epsilon));
    }
  }

  /** The optimizer state, for checkpoints. */
  @Override
  public State state() {
    return new State(t, m.clone(), v.clone());
  }

  /** Restores a state taken from an optimizer of the same length. */
  @Override
  public void restore(State s) {
    if (s.m().length != m.length || s.v().length != v.length) {
      throw new IllegalArgumentException(
          "optimizer state of " + s.m().length + " values for an optimizer of " + m.length);
    }
    System.arraycopy(s.m(), 0, m, 0, m.length);
    System.arraycopy(s.v(), 0, v, 0, v.length);
    t = s.steps();
  }

  @Override
  public void reset(int from, int to) {
    java.util.Arrays.fill(m, from, to, 0f);
    java.util.Arrays.fill(v, from, to, 0f);
  }

  /**
   * Adam's state.
   *
   * @param steps steps taken (t)
   * @param m first-moment estimates
   * @param v second-moment estimates
   */
  public record State(long steps, float[] m, float[] v) {}
}

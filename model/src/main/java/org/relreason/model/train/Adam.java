package org.relreason.model.train;

import org.relreason.model.config.LearningRateSchedule;

/**
 * Adam (Kingma and Ba, ICLR 2015, Algorithm 1) on a flat vector, with PyTorch's defaults (β1 0.9,
 * β2 0.999, ε 1e-8, no weight decay), as the paper uses it: the project's one Adam, for
 * pre-training, the probes and fine-tuning.
 *
 * <p>Lifecycle: construct with the vector length and a mask of batch-norm running statistics →
 * {@link #step(float[], float[])} once per minibatch → {@link #state()} / {@link #restore} for
 * checkpoints. Masked positions are not optimised: their "gradient" is a running-statistic delta
 * applied as {@code p -= g} (see {@code Backbone.statisticsMask()}).
 *
 * <p>Options, all off by default:
 *
 * <ul>
 *   <li>a {@link LearningRateSchedule} (the rate of step t is {@code lr · schedule.factor(t)}) and
 *       decoupled weight decay, AdamW (Loshchilov and Hutter, ICLR 2019, Algorithm 2, as PyTorch's
 *       {@code AdamW}: {@code p ← p − lr_t · λ · p} before the Adam update, on every optimised
 *       position): {@link #withSchedule} (#15);
 *   <li>for fine-tuning as the paper does it ({@code Adam([{backbone, lr 1e-3, weight_decay 1e-5},
 *       {head, lr 1e-4, weight_decay 1e-5}])}): a second parameter group from an index on with its
 *       own rate, PyTorch {@code Adam}'s coupled L2 decay ({@code g + λ p}, not AdamW's), and a
 *       rate factor the caller sets per epoch ({@link #forFineTuning}, {@link #setRateFactor});
 *   <li>double precision for the linear probes, which train a small classifier in {@code double[]}
 *       ({@link #inDouble}, {@link #step(double[], double[])}).
 * </ul>
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
  private final double l2;
  private final int groupFrom;
  private final double groupRate;
  private final float[] m;
  private final float[] v;
  private final double[] md;
  private final double[] vd;
  private double rateFactor = 1;
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
        0,
        0,
        length,
        learningRate,
        false);
  }

  private Adam(
      int length,
      double learningRate,
      double beta1,
      double beta2,
      double epsilon,
      boolean[] statisticsMask,
      LearningRateSchedule schedule,
      double weightDecay,
      double l2,
      int groupFrom,
      double groupRate,
      boolean inDouble) {
    if (statisticsMask.length != length) {
      throw new IllegalArgumentException(
          "statistics mask has "
              + statisticsMask.length
              + " entries for "
              + length
              + " parameters");
    }
    if (!(learningRate > 0) || !(groupRate > 0)) {
      throw new IllegalArgumentException(
          "learning rate must be positive, got " + (learningRate > 0 ? groupRate : learningRate));
    }
    if (groupFrom < 0 || groupFrom > length) {
      throw new IllegalArgumentException(
          "second group starts at " + groupFrom + ", outside [0, " + length + "]");
    }
    if (!(weightDecay >= 0) || !(l2 >= 0)) {
      throw new IllegalArgumentException(
          "weight decay must be >= 0, got " + (weightDecay >= 0 ? l2 : weightDecay));
    }
    this.learningRate = learningRate;
    this.beta1 = beta1;
    this.beta2 = beta2;
    this.epsilon = epsilon;
    this.statistics = statisticsMask.clone();
    this.schedule = java.util.Objects.requireNonNull(schedule, "schedule");
    this.weightDecay = weightDecay;
    this.l2 = l2;
    this.groupFrom = groupFrom;
    this.groupRate = groupRate;
    this.m = inDouble ? null : new float[length];
    this.v = inDouble ? null : new float[length];
    this.md = inDouble ? new double[length] : null;
    this.vd = inDouble ? new double[length] : null;
  }

  /**
   * Adam in double precision over a {@code double[]} vector without batch-norm statistics (the
   * probes' classifiers): {@link #step(double[], double[])} only.
   */
  public static Adam inDouble(
      int length, double learningRate, double beta1, double beta2, double epsilon) {
    return new Adam(
        length,
        learningRate,
        beta1,
        beta2,
        epsilon,
        new boolean[length],
        LearningRateSchedule.CONSTANT,
        0,
        0,
        length,
        learningRate,
        true);
  }

  /**
   * The paper's fine-tuning optimizer: two groups, the backbone {@code [0, headFrom)} at {@code
   * backboneRate} and the head from {@code headFrom} on at {@code headRate}, both with PyTorch
   * {@code Adam}'s coupled L2 decay {@code λ} ({@code g + λ p}); masked positions are neither
   * optimised nor decayed. The caller scales both rates with {@link #setRateFactor}.
   */
  public static Adam forFineTuning(
      int length,
      int headFrom,
      boolean[] statisticsMask,
      double backboneRate,
      double headRate,
      double l2) {
    return new Adam(
        length,
        backboneRate,
        0.9,
        0.999,
        1e-8,
        statisticsMask,
        LearningRateSchedule.CONSTANT,
        0,
        l2,
        headFrom,
        headRate,
        false);
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
        length(),
        learningRate,
        beta1,
        beta2,
        epsilon,
        statistics,
        schedule,
        weightDecay,
        l2,
        groupFrom,
        groupRate,
        md != null);
  }

  /**
   * Scales every rate by {@code f} from the next step on (the fine-tuner's epoch milestones; 1
   * until set). Stateless schedules belong in {@link #withSchedule}.
   */
  public void setRateFactor(double f) {
    if (!(f > 0)) {
      throw new IllegalArgumentException("rate factor must be > 0, got " + f);
    }
    rateFactor = f;
  }

  /** The learning rate of position {@code i} at the next step. */
  public double rate(int i) {
    return (i < groupFrom ? learningRate : groupRate) * schedule.factor(t) * rateFactor;
  }

  /** The learning rate of the next step (of the first group). */
  public double nextLearningRate() {
    return learningRate * schedule.factor(t) * rateFactor;
  }

  private int length() {
    return statistics.length;
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
    if (m == null) {
      throw new IllegalStateException("a double-precision Adam steps double[] vectors");
    }
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
    int bad = ParallelChunks.firstNonFinite(gradient); // checked before anything changes
    if (bad >= 0) {
      throw new IllegalArgumentException("gradient[" + bad + "] is " + gradient[bad]);
    }
    double factor = schedule.factor(t) * rateFactor;
    double lr = learningRate * factor;
    double lr2 = groupRate * factor;
    float decay = (float) (1 - lr * weightDecay);
    t++;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    ParallelChunks.run(
        params.length, (from, to) -> update(params, gradient, from, to, lr, lr2, decay, c1, c2));
  }

  /** The update of positions {@code [from, to)}: each depends only on its own entries. */
  private void update(
      float[] params,
      float[] gradient,
      int from,
      int to,
      double lr,
      double lr2,
      float decay,
      double c1,
      double c2) {
    for (int i = from; i < to; i++) {
      float g = gradient[i];
      if (statistics[i]) {
        params[i] -= g;
        continue;
      }
      // The moments are stored in float but updated in double with the same β as the bias
      // corrections c1, c2: with float β's, (1 - 0.999f) is 1.3e-5 away from 1 - 0.999, so every
      // step came out 7e-6 (relative) longer than PyTorch's, a drift the parity fixture sees.
      double gi = l2 > 0 ? g + l2 * params[i] : g;
      double mi = beta1 * m[i] + (1 - beta1) * gi;
      double vi = beta2 * v[i] + (1 - beta2) * (gi * gi);
      m[i] = (float) mi;
      // For |g| > 5.8e20 the second moment exceeds the float range: stored as infinity it would
      // freeze the parameter for good (m / sqrt(inf) = 0); clamped instead (finite values keep
      // their bits).
      v[i] = (float) Math.min(vi, Float.MAX_VALUE);
      if (weightDecay > 0) {
        params[i] *= decay;
      }
      double rate = i < groupFrom ? lr : lr2;
      params[i] = (float) (params[i] - rate * (mi / c1) / (Math.sqrt(vi / c2) + epsilon));
    }
  }

  /**
   * One update of a double-precision Adam ({@link #inDouble}): Algorithm 1 in double, moments
   * included.
   */
  public void step(double[] params, double[] gradient) {
    if (md == null) {
      throw new IllegalStateException("a float Adam steps float[] vectors");
    }
    if (params.length != md.length || gradient.length != md.length) {
      throw new IllegalArgumentException(
          "Adam over "
              + md.length
              + " values got "
              + params.length
              + " parameters and "
              + gradient.length
              + " gradients");
    }
    double lr = learningRate * schedule.factor(t) * rateFactor;
    t++;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    for (int i = 0; i < params.length; i++) {
      double g = gradient[i];
      md[i] = beta1 * md[i] + (1 - beta1) * g;
      vd[i] = beta2 * vd[i] + (1 - beta2) * g * g;
      params[i] -= lr * (md[i] / c1) / (Math.sqrt(vd[i] / c2) + epsilon);
    }
  }

  /** The optimizer state, for checkpoints. */
  @Override
  public State state() {
    if (m == null) {
      throw new IllegalStateException("a double-precision Adam has no checkpoint state");
    }
    return new State(t, m.clone(), v.clone());
  }

  /** Restores a state taken from an optimizer of the same length. */
  @Override
  public void restore(State s) {
    if (m == null) {
      throw new IllegalStateException("a double-precision Adam has no checkpoint state");
    }
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
    if (m == null) {
      java.util.Arrays.fill(md, from, to, 0);
      java.util.Arrays.fill(vd, from, to, 0);
      return;
    }
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

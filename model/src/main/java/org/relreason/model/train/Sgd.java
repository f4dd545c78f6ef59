package org.relreason.model.train;

import java.util.Arrays;

/**
 * SGD with momentum on a flat float vector, as PyTorch's {@code torch.optim.SGD} (dampening 0, no
 * Nesterov, no weight decay): {@code b = μ b + g; p -= lr_t b}, with the step schedule of the
 * paper's supervised baseline ({@code MultiStepLR}): {@code lr_t} is the base rate times 0.1 for
 * every milestone at or before step t (0-based). Masked positions (batch-norm running statistics)
 * take {@code p -= g} as in {@link Adam}.
 *
 * <p>Lifecycle: construct → {@link #step} once per minibatch → {@link #state()} / {@link #restore}.
 */
public final class Sgd implements Optimizer {
  private final double learningRate;
  private final double momentum;
  private final long[] milestones;
  private final boolean[] statistics;
  private final float[] buffer;
  private long t;

  /**
   * @param length parameters in the flat vector
   * @param learningRate base learning rate
   * @param momentum μ
   * @param milestones steps (0-based, ascending) from which the rate is divided by ten once more
   * @param statisticsMask positions of batch-norm running statistics
   */
  public Sgd(
      int length,
      double learningRate,
      double momentum,
      long[] milestones,
      boolean[] statisticsMask) {
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
    if (!(momentum >= 0 && momentum < 1)) {
      throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
    }
    this.learningRate = learningRate;
    this.momentum = momentum;
    this.milestones = milestones.clone();
    this.statistics = statisticsMask.clone();
    this.buffer = new float[length];
  }

  /**
   * The paper's supervised baseline: lr 0.1, momentum 0.9, ×0.1 at 50% and 75% of {@code
   * totalSteps}.
   */
  public static Sgd paperSupervised(int length, long totalSteps, boolean[] statisticsMask) {
    return new Sgd(
        length, 0.1, 0.9, new long[] {totalSteps / 2, totalSteps * 3 / 4}, statisticsMask);
  }

  /** The learning rate used at 0-based step {@code step}. */
  public double learningRateAt(long step) {
    double lr = learningRate;
    for (long m : milestones) {
      if (step >= m) {
        lr *= 0.1;
      }
    }
    return lr;
  }

  @Override
  public void step(float[] params, float[] gradient) {
    if (params.length != buffer.length || gradient.length != buffer.length) {
      throw new IllegalArgumentException(
          "SGD over "
              + buffer.length
              + " values got "
              + params.length
              + " parameters and "
              + gradient.length
              + " gradients");
    }
    float lr = (float) learningRateAt(t);
    float mu = (float) momentum;
    for (int i = 0; i < params.length; i++) {
      float g = gradient[i];
      if (statistics[i]) {
        params[i] -= g;
        continue;
      }
      // PyTorch starts the buffer at the first gradient; from zero, μ·0 + g is the same
      buffer[i] = mu * buffer[i] + g;
      params[i] -= lr * buffer[i];
    }
    t++;
  }

  @Override
  public long steps() {
    return t;
  }

  @Override
  public Adam.State state() {
    return new Adam.State(t, buffer.clone(), new float[buffer.length]);
  }

  @Override
  public void restore(Adam.State s) {
    if (s.m().length != buffer.length) {
      throw new IllegalArgumentException(
          "optimizer state of " + s.m().length + " values for an optimizer of " + buffer.length);
    }
    System.arraycopy(s.m(), 0, buffer, 0, buffer.length);
    t = s.steps();
  }

  @Override
  public void reset(int from, int to) {
    Arrays.fill(buffer, from, to, 0f);
  }
}

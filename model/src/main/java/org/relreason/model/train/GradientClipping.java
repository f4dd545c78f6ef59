package org.relreason.model.train;

/**
 * Clipping by global norm (Pascanu et al. 2013; PyTorch's {@code clip_grad_norm_}) in front of an
 * optimizer: when the L2 norm of the gradient over all optimised positions exceeds {@code maxNorm},
 * the gradient is scaled by {@code maxNorm / (norm + 1e-6)} before the step. The positions of
 * batch-norm running statistics carry deltas, not gradients: they are neither counted nor scaled.
 *
 * <p>Lifecycle: the wrapped optimizer's; the norm is summed sequentially in double, so clipping is
 * as reproducible as the step it precedes.
 */
public final class GradientClipping implements Optimizer {
  private final Optimizer inner;
  private final double maxNorm;
  private final boolean[] statistics;
  private double lastNorm = Double.NaN;

  public GradientClipping(Optimizer inner, double maxNorm, boolean[] statisticsMask) {
    if (!(maxNorm > 0)) {
      throw new IllegalArgumentException("config key 'grad-clip': must be > 0, got " + maxNorm);
    }
    this.inner = inner;
    this.maxNorm = maxNorm;
    this.statistics = statisticsMask.clone();
  }

  /** The norm over the optimised positions. */
  static double norm(float[] gradient, boolean[] statistics) {
    double s = 0;
    for (int i = 0; i < gradient.length; i++) {
      if (!statistics[i]) {
        s += (double) gradient[i] * gradient[i];
      }
    }
    return Math.sqrt(s);
  }

  /** Steps the wrapped optimizer on the clipped gradient; {@code gradient} is left unchanged. */
  @Override
  public void step(float[] params, float[] gradient) {
    if (gradient.length != statistics.length) {
      throw new IllegalArgumentException(
          "clipping over " + statistics.length + " values got " + gradient.length + " gradients");
    }
    lastNorm = norm(gradient, statistics);
    float[] g = gradient;
    if (lastNorm > maxNorm) {
      float scale = (float) (maxNorm / (lastNorm + 1e-6));
      g = gradient.clone();
      for (int i = 0; i < g.length; i++) {
        if (!statistics[i]) {
          g[i] *= scale;
        }
      }
    }
    inner.step(params, g);
  }

  /** The gradient norm of the last step (before clipping), NaN before the first. */
  public double lastNorm() {
    return lastNorm;
  }

  @Override
  public long steps() {
    return inner.steps();
  }

  @Override
  public Adam.State state() {
    return inner.state();
  }

  @Override
  public void restore(Adam.State state) {
    inner.restore(state);
  }

  @Override
  public void reset(int from, int to) {
    inner.reset(from, to);
  }
}

package org.relreason.model.eval;

/**
 * Adam (Kingma and Ba 2015, Algorithm 1, with bias-corrected moments and epsilon added after the
 * square root, as {@code torch.optim.Adam} computes it) on a flat {@code double[]} vector.
 *
 * <p>Lifecycle: construct (moments zero, step 0) → {@link #step(double[], double[])} once per
 * mini-batch. There is no reset: one instance trains one classifier.
 */
final class Adam {
  private final double lr;
  private final double beta1;
  private final double beta2;
  private final double eps;
  private final double[] m;
  private final double[] v;
  private int t;

  Adam(LinearConfig config, int numParams) {
    this.lr = config.learningRate();
    this.beta1 = config.beta1();
    this.beta2 = config.beta2();
    this.eps = config.epsilon();
    this.m = new double[numParams];
    this.v = new double[numParams];
  }

  /** Moves {@code params} against {@code grad}. */
  void step(double[] params, double[] grad) {
    t++;
    double c1 = 1 - Math.pow(beta1, t);
    double c2 = 1 - Math.pow(beta2, t);
    for (int i = 0; i < params.length; i++) {
      double g = grad[i];
      m[i] = beta1 * m[i] + (1 - beta1) * g;
      v[i] = beta2 * v[i] + (1 - beta2) * g * g;
      params[i] -= lr * (m[i] / c1) / (Math.sqrt(v[i] / c2) + eps);
    }
  }
}

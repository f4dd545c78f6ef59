package org.relreason.model.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A linear softmax classifier, its cross-entropy and gradient, in plain Java. Not thread-safe: it
 * owns a scratch buffer for the logits.
 *
 * <p>Parameters live in one flat {@code double[]} so that the optimizer sees a single vector: the
 * weights first, one row of {@code d} per class ({@code W[c][j]} at {@code c * d + j}, the layout
 * of PyTorch's {@code nn.Linear}, so each logit is a dot product over contiguous memory), then the
 * {@code C} biases. Features and parameters are double: at CIFAR scale the features take 30 MB, the
 * arithmetic is as fast as float here (the loops are latency-bound, not bandwidth-bound), Adam's
 * tiny second moments stay exact, and the gradient can be checked by finite differences.
 */
final class LinearSoftmax {
  private final int d;
  private final int c;
  private final double[] params;
  private final double[] logits;
  private final double[] shiftedExp;
  private double max;
  private double[] batchX = new double[0];
  private double[] batchZ = new double[0];

  /** A classifier over the given flat parameters (kept, not copied: the optimizer updates them). */
  LinearSoftmax(int d, int c, double[] params) {
    if (params.length != numParams(d, c)) {
      throw new IllegalArgumentException(params.length + " parameters for d=" + d + ", C=" + c);
    }
    this.d = d;
    this.c = c;
    this.params = params;
    this.logits = new double[c];
    this.shiftedExp = new double[c];
  }

  /**
   * PyTorch's default {@code nn.Linear} initialisation, which the paper's code relies on: weights
   * and biases uniform in {@code ±1/sqrt(d)}.
   */
  static LinearSoftmax init(int d, int c, SplittableRandom rng) {
    double[] p = new double[numParams(d, c)];
    double bound = 1.0 / Math.sqrt(d);
    for (int i = 0; i < p.length; i++) {
      p[i] = rng.nextDouble(-bound, bound);
    }
    return new LinearSoftmax(d, c, p);
  }

  static int numParams(int d, int c) {
    return Math.addExact(Math.multiplyExact(d, c), c);
  }

  /** The live flat parameters. */
  double[] params() {
    return params;
  }

  /** Features widened to double once, so that the hot loops read one type. */
  static double[] widen(float[] features) {
    double[] out = new double[features.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = features[i];
    }
    return out;
  }

  /**
   * Mean cross-entropy of examples {@code rows[from..to)} of {@code x} (row-major, d per row) and
   * its gradient, written into {@code grad} (overwritten, same layout as the parameters).
   */
  double lossAndGradient(double[] x, int[] labels, int[] rows, int from, int to, double[] grad) {
    int b = to - from;
    batchLogits(x, rows, from, b);
    Arrays.fill(grad, 0.0);
    double scale = 1.0 / b;
    double loss = 0;
    for (int r = 0; r < b; r++) {
      int y = labels[rows[from + r]];
      double max = Double.NEGATIVE_INFINITY;
      for (int cls = 0; cls < c; cls++) {
        max = Math.max(max, batchZ[cls * b + r]);
      }
      // Stable log-softmax: every exponential is shifted into (0, 1] by the maximum, and kept for
      // the gradient rather than recomputed.
      double sum = 0;
      for (int cls = 0; cls < c; cls++) {
        shiftedExp[cls] = Math.exp(batchZ[cls * b + r] - max);
        sum += shiftedExp[cls];
      }
      loss += max + Math.log(sum) - batchZ[y * b + r];
      for (int cls = 0; cls < c; cls++) {
        // d(CE)/d(logit_c) = softmax_c - [c == y] (Bishop 2006, eq. 4.109); batchZ now holds it.
        double g = (shiftedExp[cls] / sum - (cls == y ? 1 : 0)) * scale;
        grad[c * d + cls] += g;
        batchZ[cls * b + r] = g;
      }
    }
    // dL/dW[c][j] = sum over the batch of dL/dz[c] * x[j]: a dot product over the batch.
    for (int cls = 0; cls < c; cls++) {
      for (int j = 0; j < d; j++) {
        grad[cls * d + j] = dot(batchZ, cls * b, batchX, j * b, b);
      }
    }
    return loss * scale;
  }

  /**
   * Logits of the batch into {@code batchZ[cls * b + r]}, and the batch transposed into {@code
   * batchX[j * b + r]} (which the weight gradient reads as dot products over the batch). The
   * innermost loop runs over examples, an independent multiply-add per element, rather than over
   * features as a dot product: measured 10% faster for the whole training on 60k x 64 features.
   */
  private void batchLogits(double[] x, int[] rows, int from, int b) {
    if (batchX.length < b * d) {
      batchX = new double[b * d];
      batchZ = new double[b * c];
    }
    for (int r = 0; r < b; r++) {
      int xo = rows[from + r] * d;
      for (int j = 0; j < d; j++) {
        batchX[j * b + r] = x[xo + j];
      }
    }
    for (int cls = 0; cls < c; cls++) {
      int zo = cls * b;
      Arrays.fill(batchZ, zo, zo + b, params[c * d + cls]);
      for (int j = 0; j < d; j++) {
        double w = params[cls * d + j];
        int xo = j * b;
        for (int r = 0; r < b; r++) {
          batchZ[zo + r] += w * batchX[xo + r];
        }
      }
    }
  }

  /** Class with the largest logit for row {@code row} of {@code x}; the lower class wins a tie. */
  int predict(double[] x, int row) {
    logits(x, row * d);
    int best = 0;
    for (int cls = 1; cls < c; cls++) {
      if (logits[cls] > logits[best]) {
        best = cls;
      }
    }
    return best;
  }

  /** Fraction of the rows of {@code x} whose prediction equals their label. */
  double accuracy(double[] x, int[] labels) {
    int correct = 0;
    for (int i = 0; i < labels.length; i++) {
      if (predict(x, i) == labels[i]) {
        correct++;
      }
    }
    return (double) correct / labels.length;
  }

  /**
   * Fills {@link #logits} for the row at {@code xo}, their maximum {@link #max} and {@link
   * #shiftedExp} = {@code exp(logit - max)}, and returns the sum of the latter. Shifting by the
   * maximum keeps every exponential in (0, 1] (the stable log-softmax: {@code log softmax = logit -
   * max - log(sum)}), and keeping the exponentials saves recomputing them for the gradient.
   */
  private double logits(double[] x, int xo) {
    max = Double.NEGATIVE_INFINITY;
    for (int cls = 0; cls < c; cls++) {
      double z = params[c * d + cls] + dot(params, cls * d, x, xo, d);
      logits[cls] = z;
      max = Math.max(max, z);
    }
    double sum = 0;
    for (int cls = 0; cls < c; cls++) {
      shiftedExp[cls] = Math.exp(logits[cls] - max);
      sum += shiftedExp[cls];
    }
    return sum;
  }

  /**
   * Four independent partial sums: a single running sum is one chain of dependent adds, which the
   * CPU cannot overlap (and the JIT does not vectorise a floating-point sum, as that would reorder
   * it). The order is fixed, so the result is still deterministic.
   */
  private static double dot(double[] a, int ao, double[] v, int vo, int n) {
    double s0 = 0;
    double s1 = 0;
    double s2 = 0;
    double s3 = 0;
    int j = 0;
    for (; j + 3 < n; j += 4) {
      s0 += a[ao + j] * v[vo + j];
      s1 += a[ao + j + 1] * v[vo + j + 1];
      s2 += a[ao + j + 2] * v[vo + j + 2];
      s3 += a[ao + j + 3] * v[vo + j + 3];
    }
    for (; j < n; j++) {
      s0 += a[ao + j] * v[vo + j];
    }
    return (s0 + s1) + (s2 + s3);
  }
}

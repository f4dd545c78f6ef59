package org.relreason.model.eval;

import java.util.Random;
import java.util.stream.IntStream;

/**
 * Exact t-SNE (van der Maaten and Hinton, "Visualizing Data using t-SNE", JMLR 2008), O(n²) per
 * iteration, for the few thousand points of the embedding protocol.
 *
 * <p>Written here because no Apache- or MIT-licensed t-SNE for the JVM could be had: Smile's is
 * GPL-3.0, DL4J's {@code deeplearning4j-tsne} is not published for 1.0.0-M2.1, and the Java ports
 * of bhtsne carry a BSD licence with an advertising clause. The optimisation is the usual one (the
 * paper's section 3.4, with the settings of the later Barnes-Hut paper and of Smile before it):
 * Gaussian affinities calibrated by bisection to the perplexity, symmetrised; early exaggeration
 * ×12 for the first 250 iterations; momentum 0.5, then 0.8; per-coordinate gains (+0.2 / ×0.8, at
 * least 0.01); the embedding re-centred after each step.
 *
 * <p>Deterministic for a seed: the start is drawn from {@code java.util.Random(seed)}, and the rows
 * computed in parallel are summed in row order.
 */
final class Tsne {
  /** Iterations with exaggerated affinities (and momentum 0.5). */
  static final int EXAGGERATION_ITERATIONS = 250;

  private static final double EXAGGERATION = 12;
  private static final double MIN_GAIN = 0.01;

  private Tsne() {}

  /**
   * 2-D coordinates of {@code n} points given their squared distances.
   *
   * @param d2 symmetric {@code n x n} squared distances, zero diagonal
   * @param perplexity effective number of neighbours, in (1, n - 1)
   * @param learningRate step size (eta)
   * @param iterations gradient iterations
   * @param seed seeds the initial coordinates
   */
  static double[][] embed(
      double[][] d2, double perplexity, double learningRate, int iterations, long seed) {
    int n = d2.length;
    double[][] p = affinities(d2, perplexity);
    double[][] y = new double[n][2];
    Random rnd = new Random(seed);
    for (double[] row : y) {
      row[0] = 1e-4 * rnd.nextGaussian();
      row[1] = 1e-4 * rnd.nextGaussian();
    }
    double[][] update = new double[n][2];
    double[][] gains = new double[n][2];
    for (double[] g : gains) {
      g[0] = 1;
      g[1] = 1;
    }
    double[][] grad = new double[n][2];
    double[] rowZ = new double[n];
    for (int it = 0; it < iterations; it++) {
      boolean early = it < EXAGGERATION_ITERATIONS;
      double exaggeration = early ? EXAGGERATION : 1;
      double momentum = early ? 0.5 : 0.8;
      gradient(p, y, exaggeration, grad, rowZ);
      for (int i = 0; i < n; i++) {
        for (int c = 0; c < 2; c++) {
          // grow the gain where the gradient turned against the last step, shrink it elsewhere
          boolean flipped = (grad[i][c] > 0) != (update[i][c] > 0);
          gains[i][c] = Math.max(MIN_GAIN, flipped ? gains[i][c] + 0.2 : gains[i][c] * 0.8);
          update[i][c] = momentum * update[i][c] - learningRate * gains[i][c] * grad[i][c];
          y[i][c] += update[i][c];
        }
      }
      center(y);
    }
    return y;
  }

  /**
   * The gradient of KL(P || Q) with respect to each point (the paper's equation 5), with P
   * multiplied by {@code exaggeration}; {@code rowZ} is scratch of size n.
   */
  static void gradient(
      double[][] p, double[][] y, double exaggeration, double[][] grad, double[] rowZ) {
    int n = y.length;
    // Student-t kernel's normaliser Z = sum over i != j of 1 / (1 + |y_i - y_j|²), in row order
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              double s = 0;
              for (int j = 0; j < n; j++) {
                if (j != i) {
                  s += kernel(y[i], y[j]);
                }
              }
              rowZ[i] = s;
            });
    double z = 0;
    for (double s : rowZ) {
      z += s;
    }
    double invZ = 1 / z;
    IntStream.range(0, n)
        .parallel()
        .forEach(
            i -> {
              double gx = 0;
              double gy = 0;
              for (int j = 0; j < n; j++) {
                if (j == i) {
                  continue;
                }
                double k = kernel(y[i], y[j]);
                double m = (exaggeration * p[i][j] - k * invZ) * k;
                gx += m * (y[i][0] - y[j][0]);
                gy += m * (y[i][1] - y[j][1]);
              }
              grad[i][0] = 4 * gx;
              grad[i][1] = 4 * gy;
            });
  }

  /** KL(P || Q) of an embedding: what the optimisation lowers. */
  static double klDivergence(double[][] p, double[][] y) {
    int n = y.length;
    double z = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        z += j == i ? 0 : kernel(y[i], y[j]);
      }
    }
    double kl = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (j != i && p[i][j] > 0) {
          kl += p[i][j] * Math.log(p[i][j] / (kernel(y[i], y[j]) / z));
        }
      }
    }
    return kl;
  }

  private static double kernel(double[] a, double[] b) {
    double dx = a[0] - b[0];
    double dy = a[1] - b[1];
    return 1 / (1 + dx * dx + dy * dy);
  }

  /**
   * Joint affinities {@code p_ij = (p_j|i + p_i|j) / 2n} (at least 1e-12), each conditional row a
   * Gaussian whose precision is bisected until its entropy is log(perplexity) (the paper's equation
   * 1 and section 2).
   */
  static double[][] affinities(double[][] d2, double perplexity) {
    int n = d2.length;
    double[][] cond = new double[n][];
    double target = Math.log(perplexity);
    IntStream.range(0, n).parallel().forEach(i -> cond[i] = conditional(d2[i], i, target));
    double[][] p = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        p[i][j] = Math.max(1e-12, (cond[i][j] + cond[j][i]) / (2.0 * n));
      }
    }
    return p;
  }

  /** p_j|i for one row: bisection on the precision beta to an entropy within 1e-5 of target. */
  static double[] conditional(double[] d2, int self, double target) {
    int n = d2.length;
    double[] row = new double[n];
    double beta = 1;
    double lo = 0;
    double hi = Double.POSITIVE_INFINITY;
    for (int tries = 0; tries < 200; tries++) {
      double sum = 0;
      double weighted = 0;
      for (int j = 0; j < n; j++) {
        row[j] = j == self ? 0 : Math.exp(-beta * d2[j]);
        sum += row[j];
        weighted += d2[j] * row[j];
      }
      sum = Math.max(sum, Double.MIN_NORMAL);
      double entropy = Math.log(sum) + beta * weighted / sum;
      for (int j = 0; j < n; j++) {
        row[j] /= sum;
      }
      double diff = entropy - target;
      if (Math.abs(diff) < 1e-5) {
        break;
      }
      if (diff > 0) {
        // too flat: sharpen
        lo = beta;
        beta = hi == Double.POSITIVE_INFINITY ? beta * 2 : (beta + hi) / 2;
      } else {
        hi = beta;
        beta = (beta + lo) / 2;
      }
    }
    return row;
  }

  private static void center(double[][] y) {
    double mx = 0;
    double my = 0;
    for (double[] row : y) {
      mx += row[0];
      my += row[1];
    }
    mx /= y.length;
    my /= y.length;
    for (double[] row : y) {
      row[0] -= mx;
      row[1] -= my;
    }
  }
}

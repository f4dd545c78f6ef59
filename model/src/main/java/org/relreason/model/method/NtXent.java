package org.relreason.model.method;

/**
 * SimCLR's NT-Xent loss (Chen et al. 2020, eq. 1) over the 2M projections of a minibatch, rows
 * view-major (view v of image n at row {@code v*M + n}, v ∈ {0, 1}): with {@code u = z/‖z‖} and
 * {@code s_ik = u_i·u_k/τ}, the loss of anchor i is {@code −s_{i,p(i)} + log Σ_{k≠i} exp(s_ik)},
 * p(i) the other view of the same image, averaged over the 2M anchors.
 *
 * <p>Gradient: with {@code G_ik = (softmax_{k≠i}(s_i)_k − [k = p(i)]) / 2M}, {@code dL/du_i = Σ_k
 * (G_ik + G_ki) u_k / τ} and {@code dL/dz_i = (dL/du_i − u_i (u_i·dL/du_i)) / ‖z_i‖}. In double on
 * the CPU: 2M is at most a few hundred rows.
 */
public final class NtXent {
  /** The paper's temperature for SimCLR. */
  public static final double PAPER_TEMPERATURE = 0.5;

  private NtXent() {}

  /**
   * @param loss mean loss over the anchors
   * @param gradient {@code dL/dz}, one row per projection
   * @param correct anchors whose most similar other row is their positive
   * @param n anchors (2M)
   */
  public record Result(double loss, double[][] gradient, int correct, int n) {}

  /** The loss of projections {@code z [2M][D]} at temperature {@code tau}. */
  public static Result evaluate(double[][] z, double tau) {
    int n = z.length;
    if (n < 4 || n % 2 != 0) {
      throw new IllegalArgumentException(
          "NT-Xent needs 2 views of M >= 2 images, got " + n + " rows");
    }
    int m = n / 2;
    double[][] u = new double[n][];
    double[] norms = new double[n];
    for (int i = 0; i < n; i++) {
      double s = 0;
      for (double v : z[i]) {
        s += v * v;
      }
      // a zero projection has no direction: keep it finite (PyTorch's normalize clamps the same)
      norms[i] = Math.max(Math.sqrt(s), 1e-12);
      u[i] = new double[z[i].length];
      for (int j = 0; j < u[i].length; j++) {
        u[i][j] = z[i][j] / norms[i];
      }
    }
    double[][] g = new double[n][n];
    double loss = 0;
    int correct = 0;
    for (int i = 0; i < n; i++) {
      int p = (i + m) % n;
      double[] s = new double[n];
      double max = Double.NEGATIVE_INFINITY;
      int arg = -1;
      for (int k = 0; k < n; k++) {
        if (k == i) {
          continue;
        }
        s[k] = dot(u[i], u[k]) / tau;
        if (s[k] > max) {
          max = s[k];
          arg = k;
        }
      }
      double sum = 0;
      for (int k = 0; k < n; k++) {
        if (k != i) {
          sum += Math.exp(s[k] - max);
        }
      }
      double logZ = max + Math.log(sum);
      loss += logZ - s[p];
      correct += arg == p ? 1 : 0;
      for (int k = 0; k < n; k++) {
        if (k != i) {
          g[i][k] = (Math.exp(s[k] - logZ) - (k == p ? 1 : 0)) / n;
        }
      }
    }
    double[][] dz = new double[n][];
    for (int i = 0; i < n; i++) {
      int d = u[i].length;
      double[] du = new double[d];
      for (int k = 0; k < n; k++) {
        double c = (g[i][k] + g[k][i]) / tau;
        if (c != 0) {
          for (int j = 0; j < d; j++) {
            du[j] += c * u[k][j];
          }
        }
      }
      double radial = dot(u[i], du);
      dz[i] = new double[d];
      for (int j = 0; j < d; j++) {
        dz[i][j] = (du[j] - u[i][j] * radial) / norms[i];
      }
    }
    return new Result(loss / n, dz, correct, n);
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }
}

package org.relreason.model.method;

import smile.clustering.KMeans;
import smile.feature.extraction.PCA;
import smile.math.MathEx;

/**
 * DeepCluster's clustering step (Caron et al. 2018, section 3.2), on Smile: L2-normalise the
 * features, PCA-whiten them (project on the principal components and divide each by the square root
 * of its variance), L2-normalise again, and k-means them. Also the inverse-frequency class weights
 * of the pseudo-labels.
 */
public final class Clustering {
  private Clustering() {}

  /**
   * Cluster assignments of {@code n} feature rows of {@code d} values.
   *
   * @param features row-major {@code [n, d]}
   * @param k clusters
   * @param seed seed of k-means++'s initial centroids
   * @return a cluster in {@code [0, k)} per row
   */
  public static int[] pseudoLabels(float[] features, int n, int d, int k, long seed) {
    if (features.length != (long) n * d) {
      throw new IllegalArgumentException(features.length + " values for " + n + " rows of " + d);
    }
    if (k < 2 || k > n) {
      throw new IllegalArgumentException("k-means of " + n + " rows into " + k + " clusters");
    }
    double[][] x = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = features[i * d + j];
      }
      normalize(x[i]);
    }
    return kMeans(whiten(x), k, seed);
  }

  /** PCA-whitening of rows, then L2 normalisation of each row. */
  static double[][] whiten(double[][] x) {
    PCA pca = PCA.fit(x).getProjection(x[0].length);
    double[] variance = pca.variance();
    double[][] y = pca.apply(x);
    for (double[] row : y) {
      for (int j = 0; j < row.length; j++) {
        // components of (numerically) zero variance carry no information: drop them
        row[j] = variance[j] > 1e-10 ? row[j] / Math.sqrt(variance[j]) : 0;
      }
      normalize(row);
    }
    return y;
  }

  /** Lloyd iterations per clustering: DeepCluster's own (Faiss's default). */
  public static final int ITERATIONS = 20;

  /**
   * k-means (k-means++ seeding, at most {@link #ITERATIONS} Lloyd iterations) of rows; the cluster
   * of each row.
   */
  public static int[] kMeans(double[][] x, int k, long seed) {
    // Smile draws its seeds from a per-thread generator
    MathEx.setSeed(seed);
    return KMeans.fit(x, k, ITERATIONS, 1e-4).y.clone();
  }

  /**
   * Class weights {@code w_c ∝ 1 / count_c}, scaled so that the samples' weights average 1 (0 for
   * an empty cluster, which no sample carries).
   */
  public static double[] inverseFrequencyWeights(int[] labels, int k) {
    int[] count = new int[k];
    for (int y : labels) {
      count[y]++;
    }
    int nonEmpty = 0;
    for (int c : count) {
      nonEmpty += c > 0 ? 1 : 0;
    }
    double[] w = new double[k];
    for (int c = 0; c < k; c++) {
      w[c] = count[c] == 0 ? 0 : labels.length / ((double) nonEmpty * count[c]);
    }
    return w;
  }

  private static void normalize(double[] v) {
    double s = 0;
    for (double a : v) {
      s += a * a;
    }
    double norm = Math.sqrt(s);
    if (norm > 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] /= norm;
      }
    }
  }
}

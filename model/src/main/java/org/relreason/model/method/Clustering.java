package org.relreason.model.method;

import java.util.ArrayList;
import java.util.List;
import org.apache.commons.math3.linear.Array2DRowRealMatrix;
import org.apache.commons.math3.linear.EigenDecomposition;
import org.apache.commons.math3.ml.clustering.CentroidCluster;
import org.apache.commons.math3.ml.clustering.Clusterable;
import org.apache.commons.math3.ml.clustering.KMeansPlusPlusClusterer;
import org.apache.commons.math3.ml.distance.EuclideanDistance;
import org.apache.commons.math3.random.Well19937c;

/**
 * DeepCluster's clustering step (Caron et al. 2018, section 3.2), on Apache Commons Math: L2-
 * normalise the features, PCA-whiten them (project on the principal components and divide each by
 * the square root of its variance), L2-normalise again, and k-means them. Also the
 * inverse-frequency class weights of the pseudo-labels.
 *
 * <p>Deterministic for a seed: the covariance is summed in row order in plain Java, the symmetric
 * eigen-decomposition and k-means++ run single-threaded, and k-means++ draws from a generator
 * seeded here (the parameter server's DeepCluster equivalence tests rely on it).
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
    int n = x.length;
    int d = x[0].length;
    double[] mean = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        mean[j] += row[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= n;
    }
    // covariance (divided by n - 1, as a sample covariance); upper triangle, then mirrored
    double[][] cov = new double[d][d];
    double[] c = new double[d];
    for (double[] row : x) {
      for (int j = 0; j < d; j++) {
        c[j] = row[j] - mean[j];
      }
      for (int a = 0; a < d; a++) {
        double ca = c[a];
        double[] covA = cov[a];
        for (int b = a; b < d; b++) {
          covA[b] += ca * c[b];
        }
      }
    }
    for (int a = 0; a < d; a++) {
      for (int b = a; b < d; b++) {
        cov[a][b] /= Math.max(1, n - 1);
        cov[b][a] = cov[a][b];
      }
    }
    EigenDecomposition eig = new EigenDecomposition(new Array2DRowRealMatrix(cov, false));
    double[] variance = eig.getRealEigenvalues();
    // rows of V^T are the principal directions
    double[][] directions = eig.getVT().getData();
    double[][] y = new double[n][d];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        c[j] = x[i][j] - mean[j];
      }
      for (int p = 0; p < d; p++) {
        // components of (numerically) zero variance carry no information: drop them
        if (variance[p] > 1e-10) {
          double[] dir = directions[p];
          double s = 0;
          for (int j = 0; j < d; j++) {
            s += c[j] * dir[j];
          }
          y[i][p] = s / Math.sqrt(variance[p]);
        }
      }
      normalize(y[i]);
    }
    return y;
  }

  /** Lloyd iterations per clustering: DeepCluster's own (Faiss's default). */
  public static final int ITERATIONS = 20;

  /**
   * k-means (k-means++ seeding, at most {@link #ITERATIONS} Lloyd iterations, stopping early when
   * no assignment changes) of rows; the cluster of each row. An emptied cluster is refilled from
   * the cluster of largest variance (Commons Math's default).
   */
  public static int[] kMeans(double[][] x, int k, long seed) {
    List<Row> rows = new ArrayList<>(x.length);
    for (int i = 0; i < x.length; i++) {
      rows.add(new Row(i, x[i]));
    }
    KMeansPlusPlusClusterer<Row> kMeans =
        new KMeansPlusPlusClusterer<>(k, ITERATIONS, new EuclideanDistance(), new Well19937c(seed));
    List<CentroidCluster<Row>> clusters = kMeans.cluster(rows);
    int[] labels = new int[x.length];
    for (int c = 0; c < clusters.size(); c++) {
      for (Row r : clusters.get(c).getPoints()) {
        labels[r.index] = c;
      }
    }
    return labels;
  }

  /** A row with its index, so that the clusters can be mapped back to rows. */
  private record Row(int index, double[] point) implements Clusterable {
    @Override
    public double[] getPoint() {
      return point;
    }
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

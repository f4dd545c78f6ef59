package org.relreason.model.eval;

import java.util.Objects;
import org.relreason.model.features.FeatureSet;

/**
 * The 2-D embedding of frozen features for the paper's picture: t-SNE (van der Maaten and Hinton
 * 2008; {@link Tsne}, exact O(n²) gradient, so meant for a few thousand points), plus a number that
 * says how well the picture separates the classes: the kNN purity in 2-D (the share of each point's
 * k nearest 2-D neighbours that have its class).
 *
 * <p>Features are scaled to unit length first, so the picture shows the same cosine geometry that
 * retrieval and the kNN monitor use. Runs with the same seed agree (see {@link Tsne}).
 */
public final class Embedding2d {
  private Embedding2d() {}

  /**
   * t-SNE settings.
   *
   * @param perplexity effective number of neighbours, in (1, n)
   * @param learningRate t-SNE's eta (200 is the usual value)
   * @param iterations gradient iterations, at least 250 (the early-exaggeration phase)
   * @param seed seeds the initial coordinates
   */
  public record Settings(double perplexity, double learningRate, int iterations, long seed) {
    /** perplexity 30, eta 200, 1000 iterations. */
    public static Settings defaults(long seed) {
      return new Settings(30, 200, 1000, seed);
    }

    public Settings {
      if (!(perplexity > 1)) {
        throw new IllegalArgumentException("t-SNE perplexity must be > 1, got " + perplexity);
      }
      if (!(learningRate > 0)) {
        throw new IllegalArgumentException("t-SNE learning rate must be > 0, got " + learningRate);
      }
      if (iterations < 250) {
        throw new IllegalArgumentException("t-SNE iterations must be >= 250, got " + iterations);
      }
    }
  }

  /** 2-D coordinates ({@code n x 2}) of the features of {@code set}. */
  public static double[][] tsne(FeatureSet set, Settings settings) {
    Objects.requireNonNull(set, "set");
    Objects.requireNonNull(settings, "settings");
    int n = set.n();
    if (n < 4 || !(settings.perplexity() < n - 1)) {
      throw new IllegalArgumentException(
          "t-SNE needs more points than perplexity + 1; got "
              + n
              + " points, perplexity "
              + settings.perplexity());
    }
    float[] unit = KnnMonitor.unitRows(set.features(), set.d(), 0, n);
    double[][] d2 = squaredDistances(unit, n, set.d());
    return Tsne.embed(
        d2, settings.perplexity(), settings.learningRate(), settings.iterations(), settings.seed());
  }

  /** Squared Euclidean distances between the rows of a row-major matrix. */
  static double[][] squaredDistances(float[] x, int n, int d) {
    double[][] out = new double[n][n];
    for (int i = 0; i < n; i++) {
      for (int j = i + 1; j < n; j++) {
        double s = 0;
        for (int k = 0; k < d; k++) {
          double diff = (double) x[i * d + k] - x[j * d + k];
          s += diff * diff;
        }
        out[i][j] = s;
        out[j][i] = s;
      }
    }
    return out;
  }

  /**
   * kNN purity of a 2-D picture: over all points, the mean share of its {@code k} nearest other
   * points (Euclidean, ties to the lower index) with the same label. 1 for perfectly separated
   * classes; about 1/C for a picture that ignores them.
   */
  public static double knnPurity(double[][] xy, int[] labels, int k) {
    int n = xy.length;
    if (labels.length != n) {
      throw new IllegalArgumentException(n + " points for " + labels.length + " labels");
    }
    if (k < 1 || k >= n) {
      throw new IllegalArgumentException("purity k must be in [1, " + (n - 1) + "], got " + k);
    }
    TopK top = new TopK(k);
    float[] negDist = new float[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        double dx = xy[i][0] - xy[j][0];
        double dy = xy[i][1] - xy[j][1];
        // the point itself is pushed to the end of the ranking
        negDist[j] = j == i ? Float.NEGATIVE_INFINITY : (float) -(dx * dx + dy * dy);
      }
      top.select(negDist, 0, n);
      int same = 0;
      for (int s = 0; s < top.size(); s++) {
        if (labels[top.index(s)] == labels[i]) {
          same++;
        }
      }
      sum += (double) same / k;
    }
    return sum / n;
  }
}

package org.relreason.model.eval;

import java.util.Random;
import org.relreason.model.features.FeatureSet;

/** Generated feature sets for the evaluator tests. */
final class Synthetic {
  private Synthetic() {}

  /**
   * Gaussian clusters: class {@code c} has a random mean of norm {@code separation} and unit
   * isotropic noise; with a separation of several units the classes are linearly separable in
   * practice. Same {@code meansSeed} gives the same means, so train and test share them.
   */
  static FeatureSet clusters(
      int n, int d, int classes, double separation, long meansSeed, long pointsSeed) {
    double[][] means = new double[classes][d];
    Random mr = new Random(meansSeed);
    for (double[] mean : means) {
      double norm = 0;
      for (int j = 0; j < d; j++) {
        mean[j] = mr.nextGaussian();
        norm += mean[j] * mean[j];
      }
      for (int j = 0; j < d; j++) {
        mean[j] *= separation / Math.sqrt(norm);
      }
    }
    Random pr = new Random(pointsSeed);
    float[] x = new float[n * d];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % classes;
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) (means[y[i]][j] + pr.nextGaussian());
      }
    }
    return new FeatureSet(x, y, n, d, classes);
  }

  /** Gaussian features with labels drawn independently of them. */
  static FeatureSet randomLabels(int n, int d, int classes, long seed) {
    Random r = new Random(seed);
    float[] x = new float[n * d];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = r.nextInt(classes);
      for (int j = 0; j < d; j++) {
        x[i * d + j] = (float) r.nextGaussian();
      }
    }
    return new FeatureSet(x, y, n, d, classes);
  }
}

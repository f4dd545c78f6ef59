package org.relreason.model.features;

import java.util.Arrays;
import java.util.Objects;

/**
 * Labelled feature vectors of a frozen backbone, held row-major: feature {@code j} of example
 * {@code i} is {@code features[i * d + j]}.
 *
 * @param features {@code n * d} values, row-major
 * @param labels one class index in {@code [0, numClasses)} per example
 * @param n number of examples, at least 1 (an empty set has no accuracy)
 * @param d feature size, at least 1
 * @param numClasses number of classes, at least 1
 */
public record FeatureSet(float[] features, int[] labels, int n, int d, int numClasses) {

  public FeatureSet {
    Objects.requireNonNull(features, "features");
    Objects.requireNonNull(labels, "labels");
    if (n < 1 || d < 1 || numClasses < 1) {
      throw new IllegalArgumentException(
          "feature set needs n >= 1, d >= 1, numClasses >= 1; got n="
              + n
              + ", d="
              + d
              + ", numClasses="
              + numClasses);
    }
    if ((long) n * d != features.length) {
      throw new IllegalArgumentException(
          features.length
              + " feature values for n="
              + n
              + " x d="
              + d
              + " (= "
              + (long) n * d
              + ")");
    }
    if (labels.length != n) {
      throw new IllegalArgumentException(labels.length + " labels for " + n + " examples");
    }
    for (int i = 0; i < n; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of example " + i + " outside [0, " + numClasses + ")");
      }
    }
  }

  /** Fails unless {@code other} can be scored against this set (same d and numClasses). */
  public void requireCompatible(FeatureSet other, String what) {
    if (other.d != d || other.numClasses != numClasses) {
      throw new IllegalArgumentException(
          what
              + ": feature sets differ (d="
              + d
              + " vs "
              + other.d
              + ", numClasses="
              + numClasses
              + " vs "
              + other.numClasses
              + ")");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureSet s
        && n == s.n
        && d == s.d
        && numClasses == s.numClasses
        && Arrays.equals(features, s.features)
        && Arrays.equals(labels, s.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(n, d, numClasses)
        + 31 * Arrays.hashCode(features)
        + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return "FeatureSet[n=" + n + ", d=" + d + ", classes=" + numClasses + "]";
  }
}

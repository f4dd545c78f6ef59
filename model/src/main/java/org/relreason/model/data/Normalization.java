package org.relreason.model.data;

import java.util.Arrays;

/**
 * Per-channel normalisation {@code (x/255 - mean) / std}, with the constants of the paper's code
 * for each dataset.
 *
 * @param mean per-channel mean on the [0,1] scale
 * @param std per-channel standard deviation on the [0,1] scale
 */
public record Normalization(float[] mean, float[] std) {

  public static final Normalization CIFAR10 =
      new Normalization(new float[] {0.491f, 0.482f, 0.447f}, new float[] {0.247f, 0.243f, 0.262f});
  public static final Normalization CIFAR100 =
      new Normalization(new float[] {0.507f, 0.487f, 0.441f}, new float[] {0.267f, 0.256f, 0.276f});
  public static final Normalization STL10 =
      new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});
  public static final Normalization TINY_IMAGENET =
      new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});

  /**
   * Fashion-MNIST's own statistics (mean 0.2860, std 0.3530 over the training set), replicated to
   * the three channels the images are expanded to.
   */
  public static final Normalization FASHION_MNIST =
      new Normalization(new float[] {0.286f, 0.286f, 0.286f}, new float[] {0.353f, 0.353f, 0.353f});

  /**
   * MNIST's own statistics (mean 0.1307, std 0.3081 over the training set), replicated to the three
   * channels the images are expanded to.
   */
  public static final Normalization MNIST =
      new Normalization(
          new float[] {0.1307f, 0.1307f, 0.1307f}, new float[] {0.3081f, 0.3081f, 0.3081f});

  /** Maps [0,255] to [-1,1]; used for generic image folders. */
  public static final Normalization HALF =
      new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.5f, 0.5f, 0.5f});

  public Normalization {
    if (mean.length != std.length || mean.length == 0) {
      throw new IllegalArgumentException("mean and std need the same, non-zero length");
    }
    for (float s : std) {
      if (!(s > 0)) {
        throw new IllegalArgumentException("std must be positive: " + Arrays.toString(std));
      }
    }
    mean = mean.clone();
    std = std.clone();
  }

  /** Number of channels this normalisation covers. */
  public int channels() {
    return mean.length;
  }

  @Override
  public float[] mean() {
    return mean.clone();
  }

  @Override
  public float[] std() {
    return std.clone();
  }

  /** Normalised value of an unsigned byte of channel {@code c}. */
  public float apply(int c, int unsignedByte) {
    return (unsignedByte / 255f - mean[c]) / std[c];
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Normalization n && Arrays.equals(mean, n.mean) && Arrays.equals(std, n.std);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(mean) + Arrays.hashCode(std);
  }

  @Override
  public String toString() {
    return "Normalization[mean=" + Arrays.toString(mean) + ", std=" + Arrays.toString(std) + "]";
  }
}

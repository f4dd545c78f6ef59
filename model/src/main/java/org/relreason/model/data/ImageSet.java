package org.relreason.model.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * A set of same-sized images held in memory as unsigned bytes, planar per image: image {@code i},
 * channel {@code c}, row {@code y}, column {@code x} is at {@code ((i * channels + c) * height + y)
 * * width + x}. This is CIFAR's own layout, so readers copy rather than reshuffle, and the
 * augmentation reads it without conversion.
 *
 * @param name what the images are, for messages and logs (e.g. {@code "cifar10/train"})
 * @param size number of images
 * @param channels 1 (grayscale) or 3 (RGB)
 * @param height rows per image
 * @param width columns per image
 * @param pixels {@code size * channels * height * width} bytes, read as unsigned
 * @param labels one class index per image, or {@code null} when the set is unlabeled
 * @param numClasses number of classes, 0 when unlabeled
 */
public record ImageSet(
    String name,
    int size,
    int channels,
    int height,
    int width,
    byte[] pixels,
    int[] labels,
    int numClasses) {

  public ImageSet {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pixels, "pixels");
    if (size < 0 || channels < 1 || height < 1 || width < 1) {
      throw new IllegalArgumentException(
          name + ": bad geometry " + size + "x" + channels + "x" + height + "x" + width);
    }
    if ((long) size * channels * height * width != pixels.length) {
      throw new IllegalArgumentException(
          name
              + ": pixels hold "
              + pixels.length
              + " bytes, expected "
              + ((long) size * channels * height * width));
    }
    if (labels != null) {
      if (labels.length != size) {
        throw new IllegalArgumentException(
            name + ": " + labels.length + " labels for " + size + " images");
      }
      for (int i = 0; i < size; i++) {
        if (labels[i] < 0 || labels[i] >= numClasses) {
          throw new IllegalArgumentException(
              name
                  + ": label "
                  + labels[i]
                  + " of image "
                  + i
                  + " outside [0, "
                  + numClasses
                  + ")");
        }
      }
    }
  }

  /** Bytes of one image. */
  public int imageBytes() {
    return channels * height * width;
  }

  /** Whether every image has a label. */
  public boolean labeled() {
    return labels != null;
  }

  /** Label of image {@code i}; fails on an unlabeled set. */
  public int label(int i) {
    if (labels == null) {
      throw new IllegalStateException(name + " has no labels");
    }
    return labels[i];
  }

  /** The images at the given indices, in that order, as a new set. */
  public ImageSet subset(int[] indices, String subsetName) {
    int per = imageBytes();
    byte[] px = new byte[indices.length * per];
    int[] lb = labels == null ? null : new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(pixels, indices[k] * per, px, k * per, per);
      if (lb != null) {
        lb[k] = labels[indices[k]];
      }
    }
    return new ImageSet(subsetName, indices.length, channels, height, width, px, lb, numClasses);
  }

  /** The first {@code n} images (or all, if fewer). */
  public ImageSet head(int n) {
    int k = Math.min(n, size);
    int[] idx = new int[k];
    Arrays.setAll(idx, i -> i);
    return subset(idx, name + "[:" + k + "]");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ImageSet s
        && name.equals(s.name)
        && size == s.size
        && channels == s.channels
        && height == s.height
        && width == s.width
        && numClasses == s.numClasses
        && Arrays.equals(pixels, s.pixels)
        && Arrays.equals(labels, s.labels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, size, channels, height, width, numClasses)
        + 31 * Arrays.hashCode(pixels)
        + Arrays.hashCode(labels);
  }

  @Override
  public String toString() {
    return name
        + "["
        + size
        + "x"
        + channels
        + "x"
        + height
        + "x"
        + width
        + ", classes="
        + numClasses
        + "]";
  }
}

package org.relreason.model.augment;

import java.util.Arrays;
import java.util.Random;
import org.relreason.model.augment.AugmentationConfig.Range;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;

/** Synthetic images and configurations shared by the augmentation tests. */
final class Fixtures {
  private Fixtures() {}

  static ImageSet random(int n, int channels, int height, int width, long seed) {
    byte[] px = new byte[n * channels * height * width];
    new Random(seed).nextBytes(px);
    return new ImageSet("random", n, channels, height, width, px, null, 0);
  }

  static ImageSet constant(int channels, int height, int width, int value) {
    byte[] px = new byte[channels * height * width];
    Arrays.fill(px, (byte) value);
    return new ImageSet("constant", 1, channels, height, width, px, null, 0);
  }

  /**
   * No randomness left: the whole image, no flip, no jitter, no grayscale. The jitter ranges hold
   * only their identity values, so a test can enable one adjustment and pin its factor.
   */
  static AugmentationConfig identity(int size) {
    return AugmentationConfig.paper()
        .withOutputSize(size, size)
        .withCrop(Range.fixed(1), Range.fixed(1))
        .withFlipProbability(0)
        .withJitter(0, Range.fixed(1), Range.fixed(1), Range.fixed(1), Range.fixed(0))
        .withGrayscaleProbability(0);
  }

  /** {@link Normalization#apply} of pixel (c, y, x) of image {@code i}, the reference value. */
  static float normalised(ImageSet set, Normalization norm, int i, int c, int y, int x) {
    return norm.apply(c, raw(set, i, c, y, x));
  }

  /** The unsigned byte at (c, y, x) of image {@code i}. */
  static int raw(ImageSet set, int i, int c, int y, int x) {
    int at = ((i * set.channels() + c) * set.height() + y) * set.width() + x;
    return set.pixels()[at] & 0xFF;
  }

  /** Index of (c, y, x) in a planar view of {@code h x w} starting at {@code offset}. */
  static int at(int offset, int c, int y, int x, int h, int w) {
    return offset + (c * h + y) * w + x;
  }
}

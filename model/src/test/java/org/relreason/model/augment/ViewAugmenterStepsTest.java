package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;
import static org.relreason.model.augment.Fixtures.at;
import static org.relreason.model.augment.Fixtures.normalised;
import static org.relreason.model.augment.Fixtures.raw;

import org.junit.jupiter.api.Test;
import org.relreason.model.augment.AugmentationConfig.Range;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;

/** Each step of the pipeline alone, against values computed by hand. */
class ViewAugmenterStepsTest {
  private static final int S = 12;
  private static final Normalization NORM = Normalization.CIFAR10;
  private static final ImageSet SET = Fixtures.random(3, 3, S, S, 21);
  private static final AugmentationConfig ID = Fixtures.identity(S);

  @Test
  void withoutFlipTheViewIsExactlyTheNormalisedImage() {
    float[] out = view(ID, SET, 1);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < S; y++) {
        for (int x = 0; x < S; x++) {
          assertThat(out[at(0, c, y, x, S, S)]).isEqualTo(normalised(SET, NORM, 1, c, y, x));
        }
      }
    }
  }

  @Test
  void flipWithProbabilityOneIsTheExactMirror() {
    float[] out = view(ID.withFlipProbability(1), SET, 2);
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < S; y++) {
        for (int x = 0; x < S; x++) {
          assertThat(out[at(0, c, y, x, S, S)])
              .isEqualTo(normalised(SET, NORM, 2, c, y, S - 1 - x));
        }
      }
    }
  }

  @Test
  void grayscaleWithProbabilityOneGivesTheNormalisedLumaOnEveryChannel() {
    Normalization half = Normalization.HALF; // same statistics per channel: channels stay equal
    float[] out = new float[3 * S * S];
    try (ViewAugmenter aug = new ViewAugmenter(ID.withGrayscaleProbability(1), half, 1)) {
      aug.augment(SET, 0, 5, 0, 0, out, 0);
    }
    for (int y = 0; y < S; y++) {
      for (int x = 0; x < S; x++) {
        float l =
            0.299f * (raw(SET, 0, 0, y, x) / 255f)
                + 0.587f * (raw(SET, 0, 1, y, x) / 255f)
                + 0.114f * (raw(SET, 0, 2, y, x) / 255f);
        float expected = (l - 0.5f) / 0.5f;
        for (int c = 0; c < 3; c++) {
          assertThat(out[at(0, c, y, x, S, S)]).isCloseTo(expected, offset(1e-6f));
        }
      }
    }
  }

  @Test
  void fixedBrightnessFactorMatchesHandComputedPixels() {
    AugmentationConfig cfg = jitterOnly(Range.fixed(1.5), Range.fixed(1), Range.fixed(1));
    float[] out = view(cfg, SET, 0);
    float[] mean = NORM.mean();
    float[] std = NORM.std();
    for (int[] p : new int[][] {{0, 0, 0}, {1, 3, 7}, {2, 11, 11}, {0, 5, 2}}) {
      float v = Math.min(1f, 1.5f * raw(SET, 0, p[0], p[1], p[2]) / 255f);
      assertThat(out[at(0, p[0], p[1], p[2], S, S)])
          .isCloseTo((v - mean[p[0]]) / std[p[0]], offset(1e-6f));
    }
  }

  @Test
  void fixedContrastFactorBlendsWithTheMeanLuma() {
    float[] out = view(jitterOnly(Range.fixed(1), Range.fixed(0.5), Range.fixed(1)), SET, 0);
    double sum = 0;
    for (int y = 0; y < S; y++) {
      for (int x = 0; x < S; x++) {
        sum +=
            0.299 * raw(SET, 0, 0, y, x)
                + 0.587 * raw(SET, 0, 1, y, x)
                + 0.114 * raw(SET, 0, 2, y, x);
      }
    }
    double meanLuma = sum / 255 / (S * S);
    for (int[] p : new int[][] {{0, 0, 0}, {1, 4, 9}, {2, 10, 1}}) {
      double v = 0.5 * raw(SET, 0, p[0], p[1], p[2]) / 255 + 0.5 * meanLuma;
      double expected = (v - NORM.mean()[p[0]]) / NORM.std()[p[0]];
      assertThat((double) out[at(0, p[0], p[1], p[2], S, S)]).isCloseTo(expected, offset(1e-5));
    }
  }

  @Test
  void zeroSaturationEqualsGrayscale() {
    AugmentationConfig desaturate = jitterOnly(Range.fixed(1), Range.fixed(1), Range.fixed(0));
    AugmentationConfig gray = ID.withGrayscaleProbability(1);
    assertThat(view(desaturate, SET, 1)).containsExactly(view(gray, SET, 1), offset(1e-6f));
  }

  @Test
  void bilinearCropOfAConstantImageIsConstant() {
    ImageSet flat = Fixtures.constant(3, 20, 28, 77);
    AugmentationConfig cfg =
        AugmentationConfig.paper()
            .withJitter(0, Range.fixed(1), Range.fixed(1), Range.fixed(1), Range.fixed(0))
            .withGrayscaleProbability(0);
    float[] out = new float[3 * 32 * 32];
    try (ViewAugmenter aug = new ViewAugmenter(cfg, NORM, 1)) {
      for (int v = 0; v < 50; v++) {
        aug.augment(flat, 0, 3, 0, v, out, 0);
        for (int i = 0; i < out.length; i++) {
          assertThat(out[i]).isCloseTo(NORM.apply(i / (32 * 32), 77), offset(1e-5f));
        }
      }
    }
  }

  @Test
  void plainResizesAConstantImageToTheOutputSizeAndCopiesOtherwise() {
    try (ViewAugmenter aug = new ViewAugmenter(ID, NORM, 1)) {
      float[] same = aug.plainBatch(SET, new int[] {2});
      assertThat(same).containsExactly(view(ID, SET, 2));
      float[] out = new float[3 * S * S];
      aug.plain(Fixtures.constant(3, 30, 20, 200), 0, out, 0);
      for (int i = 0; i < out.length; i++) {
        assertThat(out[i]).isCloseTo(NORM.apply(i / (S * S), 200), offset(1e-5f));
      }
    }
  }

  @Test
  void oneChannelImagesIgnoreSaturationHueAndGrayscale() {
    ImageSet mono = Fixtures.random(2, 1, S, S, 4);
    AugmentationConfig cfg =
        ID.withJitter(1, Range.fixed(1), Range.fixed(1), Range.fixed(0), new Range(0.5, 0.5))
            .withGrayscaleProbability(1);
    float[] out = new float[S * S];
    try (ViewAugmenter aug = new ViewAugmenter(cfg, Normalization.FASHION_MNIST, 1)) {
      aug.augment(mono, 1, 0, 0, 0, out, 0);
    }
    for (int i = 0; i < out.length; i++) {
      assertThat(out[i])
          .isEqualTo(normalised(mono, Normalization.FASHION_MNIST, 1, 0, i / S, i % S));
    }
  }

  @Test
  void oneChannelImagesGetBrightness() {
    ImageSet mono = Fixtures.random(1, 1, S, S, 6);
    Normalization norm = Normalization.FASHION_MNIST;
    float[] out = new float[S * S];
    try (ViewAugmenter aug =
        new ViewAugmenter(jitterOnly(Range.fixed(0.5), Range.fixed(1), Range.fixed(1)), norm, 1)) {
      aug.augment(mono, 0, 0, 0, 0, out, 0);
    }
    for (int i = 0; i < out.length; i++) {
      float v = 0.5f * raw(mono, 0, 0, i / S, i % S) / 255f;
      assertThat(out[i]).isCloseTo((v - norm.mean()[0]) / norm.std()[0], offset(1e-6f));
    }
  }

  /** Jitter always on, with only the given ranges; hue off. */
  private static AugmentationConfig jitterOnly(Range brightness, Range contrast, Range saturation) {
    return ID.withJitter(1, brightness, contrast, saturation, Range.fixed(0));
  }

  private static float[] view(AugmentationConfig cfg, ImageSet set, int image) {
    float[] out = new float[3 * S * S];
    try (ViewAugmenter aug = new ViewAugmenter(cfg, NORM, 1)) {
      aug.augment(set, image, 1234, 0, 0, out, 0);
    }
    return out;
  }
}

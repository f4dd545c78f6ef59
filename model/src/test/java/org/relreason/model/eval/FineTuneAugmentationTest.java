package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.features.FeatureExtractor;

/** The fine-tuning augmentation (#15, item 7): settings, statistics and determinism. */
class FineTuneAugmentationTest {
  private static final Normalization UNIT =
      new Normalization(new float[] {0, 0, 0}, new float[] {1, 1, 1});

  /** {@code n} 3x32x32 images whose left half is 200 and right half 40 (so a flip is visible). */
  private static ImageSet halves(int n) {
    byte[] px = new byte[n * 3 * 32 * 32];
    for (int k = 0; k < px.length; k++) {
      px[k] = (byte) (k % 32 < 16 ? 200 : 40);
    }
    return new ImageSet("halves", n, 3, 32, 32, px, new int[n], 1);
  }

  private static int[] range(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }

  @Test
  void theAuthorsSettingsAndParsing() {
    FineTuneAugmentation c10 = FineTuneAugmentation.authors("cifar10");
    assertThat(c10.asMap())
        .containsEntry("flip", 0.5)
        .containsEntry("affine", 0.5)
        .containsEntry("degrees", 18.0)
        .containsEntry("translate", 0.1)
        .containsEntry("scale-min", 0.9)
        .containsEntry("scale-max", 1.1)
        .containsEntry("shear", 10.0)
        .containsEntry("erasing", 0.5)
        .containsEntry("erasing-area", 0.25);
    assertThat(FineTuneAugmentation.authors("cifar100").erasingArea()).isEqualTo(0.0625);
    assertThat(FineTuneAugmentation.authors("stl10").erasingArea()).isEqualTo(0.111);
    assertThat(FineTuneAugmentation.parse("none", "cifar10")).isEqualTo(FineTuneAugmentation.NONE);
    assertThat(FineTuneAugmentation.NONE.enabled()).isFalse();
    FineTuneAugmentation noErase = FineTuneAugmentation.parse("authors, erasing=0", "stl10");
    assertThat(noErase.erasing()).isZero();
    assertThat(noErase.flip()).isEqualTo(0.5);
    assertThatThrownBy(() -> FineTuneAugmentation.parse("authors,erasing=2", "cifar10"))
        .hasMessageContaining("key 'erasing'")
        .hasMessageContaining("2.0");
    assertThatThrownBy(() -> FineTuneAugmentation.parse("authors,blur=1", "cifar10"))
        .hasMessageContaining("'blur=1'")
        .hasMessageContaining("erasing-area");
    assertThatThrownBy(() -> FineTuneAugmentation.parse("mild", "cifar10"))
        .hasMessageContaining("expected none or authors");
    assertThatThrownBy(() -> FineTuneAugmentation.parse("authors,scale-min=1.2", "cifar10"))
        .hasMessageContaining("key 'scale-min'");
  }

  @Test
  void flipAffineAndErasingHappenAtTheirRates() {
    int n = 4000;
    ImageSet images = halves(n);
    // flip only: the left column becomes 40 in about half of the images
    float[] flipped =
        new FineTuneAugmenter(FineTuneAugmentation.parse("none,flip=0.5", "cifar10"), 3)
            .batch(images, range(n), UNIT, 0);
    int flips = 0;
    for (int i = 0; i < n; i++) {
      flips += flipped[i * 3072] < 0.5f ? 1 : 0;
    }
    assertThat(flips / (double) n).isCloseTo(0.5, within(0.03));
    // erasing only, CIFAR-10: a 16x16 square (0.25 of 32x32) of zeros in about half
    float[] erased =
        new FineTuneAugmenter(FineTuneAugmentation.parse("none,erasing=0.5", "cifar10"), 3)
            .batch(images, range(n), UNIT, 0);
    int erasedImages = 0;
    for (int i = 0; i < n; i++) {
      int zeros = 0;
      for (int k = 0; k < 3072; k++) {
        zeros += erased[i * 3072 + k] == 0f ? 1 : 0;
      }
      assertThat(zeros).isIn(0, 3 * 256);
      erasedImages += zeros > 0 ? 1 : 0;
    }
    assertThat(erasedImages / (double) n).isCloseTo(0.5, within(0.03));
    // affine only: the image changes in about half (a rotation/shear moves the vertical edge)
    float[] moved =
        new FineTuneAugmenter(FineTuneAugmentation.parse("authors,flip=0,erasing=0", "cifar10"), 3)
            .batch(images, range(n), UNIT, 0);
    float[] plain = FeatureExtractor.normalized(images, UNIT, 0, n);
    int changed = 0;
    for (int i = 0; i < n; i++) {
      for (int k = 0; k < 3072; k++) {
        if (Math.abs(moved[i * 3072 + k] - plain[i * 3072 + k]) > 1e-4) {
          changed++;
          break;
        }
      }
    }
    assertThat(changed / (double) n).isCloseTo(0.5, within(0.03));
  }

  @Test
  void anIdentityAffineKeepsTheImageAndTranslationStaysWithinItsRange() {
    FineTuneAugmenter identity =
        new FineTuneAugmenter(new FineTuneAugmentation(0, 1, 0, 0, 1, 1, 0, 0, 0.25), 1);
    SplittableRandom rng = new SplittableRandom(1);
    float[] img = new float[3 * 32 * 32];
    for (int k = 0; k < img.length; k++) {
      img[k] = (k * 37 % 101) / 101f;
    }
    assertThat(identity.image(img, 3, 32, 32, rng)).containsExactly(img);
    // a single bright pixel at the centre moves by whole pixels, at most 0.1 x 32 = 3.2
    FineTuneAugmenter shift =
        new FineTuneAugmenter(new FineTuneAugmentation(0, 1, 0, 0.1, 1, 1, 0, 0, 0.25), 1);
    float[] dot = new float[32 * 32];
    dot[16 * 32 + 16] = 1;
    int maxShift = 0;
    for (int t = 0; t < 500; t++) {
      float[] out = shift.image(dot, 1, 32, 32, rng);
      int at = -1;
      for (int k = 0; k < out.length; k++) {
        if (out[k] > 0.99f) {
          at = k;
        }
      }
      assertThat(at).isNotNegative();
      maxShift = Math.max(maxShift, Math.max(Math.abs(at % 32 - 16), Math.abs(at / 32 - 16)));
    }
    assertThat(maxShift).isEqualTo(3);
  }

  @Test
  void drawsDependOnSeedEpochAndImageIndexOnly() {
    ImageSet images = halves(8);
    FineTuneAugmentation a = FineTuneAugmentation.authors("cifar10");
    float[] all = new FineTuneAugmenter(a, 5).batch(images, range(8), UNIT, 2);
    // image 6 alone in a batch gets the same pixels as inside the batch of 8
    float[] alone =
        new FineTuneAugmenter(a, 5)
            .batch(images.subset(new int[] {6}, "one"), new int[] {6}, UNIT, 2);
    float[] sixth = java.util.Arrays.copyOfRange(all, 6 * 3072, 7 * 3072);
    assertThat(alone).containsExactly(sixth);
    assertThat(new FineTuneAugmenter(a, 5).batch(images, range(8), UNIT, 2)).containsExactly(all);
    assertThat(new FineTuneAugmenter(a, 5).batch(images, range(8), UNIT, 3)).isNotEqualTo(all);
    assertThat(new FineTuneAugmenter(a, 6).batch(images, range(8), UNIT, 2)).isNotEqualTo(all);
  }
}

package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;

/** A view depends on (seed, epoch, image, view) only; batches are laid out view-major. */
class ViewAugmenterDeterminismTest {
  private static final ImageSet SET = Fixtures.random(20, 3, 32, 32, 8);
  private static final ViewAugmenter ONE =
      new ViewAugmenter(AugmentationConfig.paper(), Normalization.CIFAR10, 1);
  private static final int LEN = 3 * 32 * 32;

  @AfterAll
  static void close() {
    ONE.close();
  }

  @Test
  void sameKeyGivesIdenticalFloats() {
    assertThat(view(ONE, 4, 7, 2, 1)).isEqualTo(view(ONE, 4, 7, 2, 1));
  }

  @Test
  void anotherViewIndexEpochOrSeedGivesAnotherView() {
    float[] base = view(ONE, 4, 7, 2, 1);
    assertThat(view(ONE, 4, 7, 2, 2)).isNotEqualTo(base);
    assertThat(view(ONE, 4, 7, 3, 1)).isNotEqualTo(base);
    assertThat(view(ONE, 4, 8, 2, 1)).isNotEqualTo(base);
  }

  @Test
  void oneAndThreeThreadsGiveBitIdenticalBatches() {
    int[] images = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5};
    try (ViewAugmenter three =
        new ViewAugmenter(AugmentationConfig.paper(), Normalization.CIFAR10, 3)) {
      assertThat(three.views(SET, images, 4, 99, 3)).isEqualTo(ONE.views(SET, images, 4, 99, 3));
      assertThat(three.plainBatch(SET, images)).isEqualTo(ONE.plainBatch(SET, images));
    }
  }

  @Test
  void computingViewsInAnotherOrderOrAloneGivesTheSameViews() {
    int[] images = {0, 1, 2, 3, 4, 5};
    float[] batch = ONE.views(SET, images, 3, 5, 1);
    int[] reversed = {5, 4, 3, 2, 1, 0};
    float[] backwards = ONE.views(SET, reversed, new int[] {2, 1, 0}, 5, 1);
    int m = images.length;
    for (int v = 0; v < 3; v++) {
      for (int n = 0; n < m; n++) {
        float[] row = Arrays.copyOfRange(batch, (v * m + n) * LEN, (v * m + n + 1) * LEN);
        int r = (2 - v) * m + (m - 1 - n);
        assertThat(Arrays.copyOfRange(backwards, r * LEN, (r + 1) * LEN)).isEqualTo(row);
      }
    }
  }

  @Test
  void aReusedBufferIsOverwrittenWithTheSameViewsAsAFreshBatch() {
    int[] images = {7, 2, 11};
    float[] buffer = new float[2 * 3 * LEN];
    Arrays.fill(buffer, Float.NaN);
    assertThat(ONE.views(SET, images, 2, 42, 0, buffer))
        .isSameAs(buffer)
        .isEqualTo(ONE.views(SET, images, 2, 42, 0));
    // the next batch into the same buffer leaves nothing of the previous one
    int[] others = {1, 3, 5};
    assertThat(ONE.views(SET, others, 2, 42, 1, buffer))
        .isEqualTo(ONE.views(SET, others, 2, 42, 1));
  }

  @Test
  void aBufferOfTheWrongLengthIsRefusedWithBothSizes() {
    assertThatThrownBy(() -> ONE.views(SET, new int[] {1, 2}, 2, 42, 0, new float[4 * LEN - 1]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a views buffer of 12287 floats for 2 views of 2 images of 3072")
        .hasMessageContaining("(12288)");
  }

  @Test
  void batchesAreViewMajor() {
    int[] images = {7, 2, 11};
    float[] batch = ONE.views(SET, images, 2, 42, 0);
    assertThat(batch).hasSize(2 * 3 * LEN);
    for (int v = 0; v < 2; v++) {
      for (int n = 0; n < 3; n++) {
        int row = v * 3 + n;
        assertThat(Arrays.copyOfRange(batch, row * LEN, (row + 1) * LEN))
            .isEqualTo(view(ONE, 42, 0, images[n], v));
      }
    }
  }

  @Test
  void aSubsetOfViewIndicesKeepsItsPositionInTheArray() {
    int[] images = {7, 2};
    float[] batch = ONE.views(SET, images, new int[] {3, 1}, 42, 0);
    assertThat(Arrays.copyOfRange(batch, 0, LEN)).isEqualTo(view(ONE, 42, 0, 7, 3));
    assertThat(Arrays.copyOfRange(batch, 3 * LEN, 4 * LEN)).isEqualTo(view(ONE, 42, 0, 2, 1));
  }

  @Test
  void badIndicesAndThreadCountsAreRejected() {
    assertThatThrownBy(() -> ONE.views(SET, new int[] {0, 20}, 2, 1, 0))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(() -> ONE.augment(SET, 0, 1, 0, 0, new float[LEN], 1))
        .isInstanceOf(IndexOutOfBoundsException.class);
    assertThatThrownBy(
            () -> new ViewAugmenter(AugmentationConfig.paper(), Normalization.CIFAR10, 0))
        .hasMessageContaining("threads");
  }

  private static float[] view(ViewAugmenter aug, long seed, int epoch, int image, int v) {
    float[] out = new float[LEN];
    aug.augment(SET, image, seed, epoch, v, out, 0);
    return out;
  }
}

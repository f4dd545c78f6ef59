package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.relreason.model.augment.AugmentationConfig.Range;

class CropBoxTest {
  private static final AugmentationConfig PAPER = AugmentationConfig.paper();

  @Test
  void areaAndAspectRatioStayWithinTheConfiguredRanges() {
    // A large image, so rounding the sides to pixels moves area and ratio by well under 1%.
    int side = 1000;
    double minArea = 1;
    double maxArea = 0;
    double minRatio = Double.MAX_VALUE;
    double maxRatio = 0;
    for (int v = 0; v < 20_000; v++) {
      CropBox b = CropBox.sample(PAPER.scale(), PAPER.ratio(), side, side, rng(v));
      double area = (double) b.height() * b.width() / (side * side);
      double ratio = (double) b.width() / b.height();
      minArea = Math.min(minArea, area);
      maxArea = Math.max(maxArea, area);
      minRatio = Math.min(minRatio, ratio);
      maxRatio = Math.max(maxRatio, ratio);
    }
    assertThat(minArea).isBetween(0.08 * 0.99, 0.09);
    assertThat(maxArea).isBetween(0.97, 1.0);
    assertThat(minRatio).isBetween(0.75 * 0.99, 0.76);
    assertThat(maxRatio).isBetween(1.32, 4.0 / 3.0 * 1.01);
  }

  @Test
  void boxesLieInsideSmallImages() {
    for (int v = 0; v < 5_000; v++) {
      CropBox b = CropBox.sample(PAPER.scale(), PAPER.ratio(), 32, 24, rng(v));
      assertThat(b.top()).isGreaterThanOrEqualTo(0);
      assertThat(b.left()).isGreaterThanOrEqualTo(0);
      assertThat(b.height()).isPositive();
      assertThat(b.width()).isPositive();
      assertThat(b.top() + b.height()).isLessThanOrEqualTo(32);
      assertThat(b.left() + b.width()).isLessThanOrEqualTo(24);
    }
  }

  @Test
  void fullScaleAndUnitRatioTakeTheWholeSquareImage() {
    CropBox b = CropBox.sample(Range.fixed(1), Range.fixed(1), 32, 32, rng(3));
    assertThat(b).isEqualTo(CropBox.whole(32, 32));
  }

  @Test
  void whenNoAttemptFitsTheCentralCropClampsTheRatio() {
    // A 2:1 crop of the full area never fits a square image, so all ten attempts fail.
    CropBox b = CropBox.sample(Range.fixed(1), new Range(2, 3), 30, 30, rng(5));
    assertThat(b).isEqualTo(new CropBox(7, 0, 15, 30));
  }

  private static ViewRandom rng(int v) {
    return ViewRandom.forView(11, 0, v, 0);
  }
}

package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

class ImageRetrievalTest {
  /**
   * Gallery on the unit circle at 0°, 10°, 20°, 90°, 100°, 180° (lengths vary: cosine ignores
   * them).
   */
  private static FeatureSet gallery() {
    double[] deg = {0, 10, 20, 90, 100, 180};
    double[] len = {1, 3, 0.5, 2, 1, 4};
    int[] labels = {0, 0, 1, 1, 1, 0};
    float[] x = new float[deg.length * 2];
    for (int i = 0; i < deg.length; i++) {
      x[2 * i] = (float) (len[i] * Math.cos(Math.toRadians(deg[i])));
      x[2 * i + 1] = (float) (len[i] * Math.sin(Math.toRadians(deg[i])));
    }
    return new FeatureSet(x, labels, deg.length, 2, 2);
  }

  @Test
  void findsTheNearestByCosineAndScoresPrecisionByClass() {
    // query A at 4° (class 0): nearest 0°, 10°, 20° -> classes 0, 0, 1
    // query B at 95° (class 1): nearest 90° and 100° tie at 5°; 90° has the lower index -> 1, 1, 1
    float[] q = {
      (float) Math.cos(Math.toRadians(4)), (float) Math.sin(Math.toRadians(4)),
      (float) Math.cos(Math.toRadians(95)), (float) Math.sin(Math.toRadians(95))
    };
    FeatureSet queries = new FeatureSet(q, new int[] {0, 1}, 2, 2, 2);
    ImageRetrieval.Neighbours nb = ImageRetrieval.search(gallery(), queries, 3);
    assertThat(nb.index()[0]).containsExactly(0, 1, 2);
    assertThat(nb.index()[1][2]).isEqualTo(2);
    assertThat(nb.similarity()[0][0]).isCloseTo((float) Math.cos(Math.toRadians(4)), within(1e-6f));
    double p = ImageRetrieval.precision(nb, gallery().labels(), queries.labels());
    assertThat(p).isCloseTo((2.0 / 3 + 1.0) / 2, within(1e-12));
    // k = 1: both right
    assertThat(
            ImageRetrieval.precision(
                ImageRetrieval.search(gallery(), queries, 1), gallery().labels(), queries.labels()))
        .isEqualTo(1.0);
  }

  @Test
  void rankLeavesTheQueryOutAndOrdersTheOthersByCosine() {
    float[][] unit = {{1, 0}, {0, 1}, {1, 0}, {0.6f, 0.8f}};
    // row 0 has the query's features (a duplicate image): it is found, at similarity 1
    assertThat(ImageRetrieval.rank(unit, 2)).containsExactly(0, 3, 1);
    assertThat(ImageRetrieval.rank(unit, 0)).containsExactly(2, 3, 1);
    assertThat(ImageRetrieval.rank(unit, 1)).containsExactly(3, 0, 2);
    assertThatThrownBy(() -> ImageRetrieval.rank(unit, 4)).hasMessageContaining("query 4");
  }

  @Test
  void refusesAKLargerThanTheGallery() {
    assertThatThrownBy(() -> ImageRetrieval.search(gallery(), gallery(), 7))
        .hasMessageContaining("[1, 6]");
  }
}

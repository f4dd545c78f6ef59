package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

class Embedding2dTest {

  @Test
  void wellSeparatedClustersStaySeparatedIn2d() {
    // n = d = 60: a square feature matrix must not be mistaken for a distance matrix
    FeatureSet f = Synthetic.clusters(60, 60, 3, 12.0, 1, 2);
    double[][] xy = Embedding2d.tsne(f, new Embedding2d.Settings(10, 200, 400, 5));
    assertThat(xy).hasNumberOfRows(60);
    assertThat(xy[0]).hasSize(2);
    assertThat(Embedding2d.knnPurity(xy, f.labels(), 5)).isGreaterThan(0.95);
  }

  @Test
  void purityIsLowWhenLabelsIgnoreThePicture() {
    FeatureSet f = Synthetic.clusters(60, 8, 3, 12.0, 1, 2);
    double[][] xy = Embedding2d.tsne(f, new Embedding2d.Settings(10, 200, 300, 5));
    int[] shuffled = new int[60];
    for (int i = 0; i < 60; i++) {
      shuffled[i] = (i * 7 / 3) % 3; // unrelated to the clusters (label i % 3)
    }
    assertThat(Embedding2d.knnPurity(xy, shuffled, 5)).isLessThan(0.6);
  }

  @Test
  void purityOfHandPlacedPoints() {
    double[][] xy = {{0, 0}, {0, 1}, {10, 0}, {10, 1}};
    // each point's nearest other point is its pair
    assertThat(Embedding2d.knnPurity(xy, new int[] {0, 0, 1, 1}, 1)).isEqualTo(1.0);
    assertThat(Embedding2d.knnPurity(xy, new int[] {0, 1, 0, 1}, 1)).isEqualTo(0.0);
  }
}

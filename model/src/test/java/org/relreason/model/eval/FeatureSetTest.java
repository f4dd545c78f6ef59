package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

class FeatureSetTest {

  @Test
  void inconsistentShapesAreRejected() {
    assertThatThrownBy(() -> new FeatureSet(new float[5], new int[2], 2, 3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("5 feature values for n=2 x d=3");
    assertThatThrownBy(() -> new FeatureSet(new float[6], new int[3], 2, 3, 2))
        .hasMessageContaining("3 labels for 2 examples");
    assertThatThrownBy(() -> new FeatureSet(new float[6], new int[] {0, 2}, 2, 3, 2))
        .hasMessageContaining("label 2 of example 1 outside [0, 2)");
  }

  @Test
  void emptySetIsRejected() {
    assertThatThrownBy(() -> new FeatureSet(new float[0], new int[0], 0, 3, 2))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("n >= 1");
  }
}

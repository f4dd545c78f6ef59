package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

class LabelFractionsTest {
  /** 4 classes of 100, 250, 37 and 3 examples, interleaved. */
  private static int[] labels() {
    int[] counts = {100, 250, 37, 3};
    int[] left = counts.clone();
    int[] out = new int[Arrays.stream(counts).sum()];
    int i = 0;
    while (i < out.length) {
      for (int c = 0; c < counts.length; c++) {
        if (left[c] > 0) {
          out[i++] = c;
          left[c]--;
        }
      }
    }
    return out;
  }

  private static int[] perClass(int[] labels, int[] kept) {
    int[] n = new int[4];
    for (int i : kept) {
      n[labels[i]]++;
    }
    return n;
  }

  @Test
  void keepsTheRoundedShareOfEachClassAndAtLeastOne() {
    int[] y = labels();
    assertThat(perClass(y, LabelFractions.select(y, 4, 0.10, 3))).containsExactly(10, 25, 4, 1);
    assertThat(perClass(y, LabelFractions.select(y, 4, 0.01, 3))).containsExactly(1, 3, 1, 1);
    assertThat(perClass(y, LabelFractions.select(y, 4, 0.25, 3))).containsExactly(25, 63, 9, 1);
    assertThat(perClass(y, LabelFractions.select(y, 4, 0.50, 3))).containsExactly(50, 125, 19, 2);
    assertThat(LabelFractions.select(y, 4, 1.0, 3)).hasSize(y.length);
  }

  @Test
  void isDeterministicFromTheSeedAndNested() {
    int[] y = labels();
    assertThat(LabelFractions.select(y, 4, 0.1, 3))
        .containsExactly(LabelFractions.select(y, 4, 0.1, 3));
    assertThat(LabelFractions.select(y, 4, 0.1, 4))
        .isNotEqualTo(LabelFractions.select(y, 4, 0.1, 3));
    Set<Integer> previous = Set.of();
    for (double f : LabelFractions.PAPER) {
      int[] kept = LabelFractions.select(y, 4, f, 3);
      assertThat(kept).isSorted().doesNotHaveDuplicates();
      Set<Integer> now = new HashSet<>();
      Arrays.stream(kept).forEach(now::add);
      assertThat(now).as("fraction " + f).containsAll(previous);
      previous = now;
    }
  }

  @Test
  void refusesFractionsOutsideZeroToOne() {
    assertThatThrownBy(() -> LabelFractions.select(labels(), 4, 0, 1))
        .hasMessageContaining("label fraction must be in (0, 1], got 0.0");
    assertThatThrownBy(() -> LabelFractions.select(labels(), 4, 1.5, 1))
        .hasMessageContaining("1.5");
  }

  @Test
  void subsetCopiesTheChosenRows() {
    FeatureSet f = new FeatureSet(new float[] {0, 1, 2, 3, 4, 5}, new int[] {0, 1, 0}, 3, 2, 2);
    FeatureSet s = LabelFractions.subset(f, new int[] {2, 1});
    assertThat(s.features()).containsExactly(4, 5, 2, 3);
    assertThat(s.labels()).containsExactly(0, 1);
  }
}

package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PairPlanTest {

  @Test
  void countsAndTargetsFollowThePaper() {
    for (int m : new int[] {2, 3, 5, 64}) {
      for (int k : new int[] {2, 3, 4, 8, 16}) {
        PairPlan plan = PairPlan.of(m, k);
        assertThat(plan.pairs()).isEqualTo(m * k * (k - 1));
        assertThat(plan.blocks()).isEqualTo(k * (k - 1) / 2);
        float[] t = plan.targets();
        int ones = 0;
        for (int p = 0; p < t.length; p++) {
          assertThat(t[p]).isEqualTo(p < t.length / 2 ? 1f : 0f);
          ones += (int) t[p];
        }
        assertThat(ones).isEqualTo(m * k * (k - 1) / 2);
      }
    }
  }

  @Test
  void shiftStartsAtOneGrowsPerBlockAndWrapsAtM() {
    PairPlan plan = PairPlan.of(5, 4);
    int[][] expected = {{0, 1, 1}, {0, 2, 2}, {0, 3, 3}, {1, 2, 4}, {1, 3, 1}, {2, 3, 2}};
    for (int b = 0; b < expected.length; b++) {
      assertThat(new int[] {plan.left(b), plan.right(b), plan.shift(b)})
          .containsExactly(expected[b]);
    }
    // with M = 2 the shift is always 1
    PairPlan two = PairPlan.of(2, 5);
    for (int b = 0; b < two.blocks(); b++) {
      assertThat(two.shift(b)).isEqualTo(1);
    }
  }

  @Test
  void negativesNeverPairAnImageWithItselfAndPositivesAlwaysDo() {
    int m = 7;
    int k = 6;
    PairPlan plan = PairPlan.of(m, k);
    for (int p = 0; p < plan.pairs(); p++) {
      int l = plan.leftRow(p);
      int r = plan.rightRow(p);
      assertThat(l / m).isLessThan(r / m); // left view index < right view index
      boolean sameImage = l % m == r % m;
      assertThat(sameImage).isEqualTo(plan.target(p) == 1f);
    }
    // negative row n of block (0,1) pairs z_0[n] with z_1[(n+1) mod M]
    int negBase = plan.blocks() * m;
    assertThat(plan.rightRow(negBase + m - 1)).isEqualTo(m); // (m-1+1) mod m = 0, view 1
  }

  @Test
  void sameKnownLabelMakesAPositiveInSemiSupervisedMode() {
    int[] labels = {0, 1, 0, -1};
    PairPlan plan = PairPlan.withLabels(4, 2, labels);
    // one block (0,1) with shift 1: negatives pair n with n+1: (0,1) (1,2) (2,3) (3,0)
    assertThat(plan.targets()).containsExactly(1, 1, 1, 1, 0, 0, 0, 0);
    PairPlan same = PairPlan.withLabels(4, 2, new int[] {3, 3, 3, -1});
    assertThat(same.targets()).containsExactly(1, 1, 1, 1, 1, 1, 0, 0);
  }

  @Test
  void rejectsTooFewImagesOrViews() {
    assertThatThrownBy(() -> PairPlan.of(1, 4)).hasMessageContaining("M").hasMessageContaining("1");
    assertThatThrownBy(() -> PairPlan.of(8, 1)).hasMessageContaining("K").hasMessageContaining("1");
  }
}

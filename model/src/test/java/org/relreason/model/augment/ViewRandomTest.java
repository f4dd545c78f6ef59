package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ViewRandomTest {

  @Test
  void keysOfNeighbouringAndSwappedIndicesDiffer() {
    Set<Long> keys = new HashSet<>();
    for (int e = 0; e < 10; e++) {
      for (int i = 0; i < 100; i++) {
        for (int v = 0; v < 10; v++) {
          keys.add(ViewRandom.key(1, e, i, v));
        }
      }
    }
    assertThat(keys).hasSize(10 * 100 * 10);
    assertThat(ViewRandom.key(1, 2, 3, 4)).isNotEqualTo(ViewRandom.key(1, 3, 2, 4));
    assertThat(ViewRandom.key(1, 0, 0, 0)).isNotEqualTo(ViewRandom.key(2, 0, 0, 0));
  }

  @Test
  void nextIntIsInRangeAndRoughlyUniform() {
    ViewRandom r = ViewRandom.forView(9, 0, 0, 0);
    int[] counts = new int[7];
    for (int n = 0; n < 70_000; n++) {
      counts[r.nextInt(7)]++;
    }
    for (int c : counts) {
      assertThat(c).isBetween(9_500, 10_500);
    }
  }

  @Test
  void chanceIsNeverForZeroAndAlwaysForOne() {
    ViewRandom r = ViewRandom.forView(9, 0, 0, 1);
    for (int n = 0; n < 10_000; n++) {
      assertThat(r.chance(0)).isFalse();
      assertThat(r.chance(1)).isTrue();
    }
  }
}

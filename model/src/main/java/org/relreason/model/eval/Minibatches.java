package org.relreason.model.eval;

import java.util.SplittableRandom;

/** The epoch order of the minibatch probes. */
final class Minibatches {
  private Minibatches() {}

  /** {@code 0, 1, …, n-1}. */
  static int[] identity(int n) {
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    return order;
  }

  /** Fisher-Yates, continuing from the previous epoch's order (as a DataLoader reshuffles). */
  static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }
}

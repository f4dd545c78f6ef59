package org.relreason.model.eval;

/**
 * Indices of the {@code k} largest values of a row, by a bounded min-heap: {@code O(n log k)} per
 * row, and no allocation after construction (the kNN monitor selects from every test row).
 *
 * <p>Order: a larger value ranks higher; of equal values the lower index ranks higher, so the
 * selection is deterministic whatever the ties.
 */
final class TopK {
  private final int k;
  private final int[] heap;
  private int size;

  TopK(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    this.k = k;
    this.heap = new int[k];
  }

  /** Selects the top k (or all, if fewer) of {@code values[offset .. offset + n)}. */
  void select(float[] values, int offset, int n) {
    size = 0;
    int j = 0;
    for (; j < n && size < k; j++) {
      heap[size++] = j;
      siftUp(values, offset, size - 1);
    }
    // The weakest value kept. Indices only grow from here on, so a newcomer equal to it loses the
    // tie: one comparison rejects most of a long row (600M values for a CIFAR-sized kNN).
    float floor = size == 0 ? Float.NEGATIVE_INFINITY : values[offset + heap[0]];
    for (; j < n; j++) {
      if (values[offset + j] > floor) {
        heap[0] = j;
        siftDown(values, offset, 0);
        floor = values[offset + heap[0]];
      }
    }
  }

  /** Number of selected indices. */
  int size() {
    return size;
  }

  /** The i-th selected index (heap order, not sorted), relative to the row's offset. */
  int index(int i) {
    return heap[i];
  }

  /** The largest selected value. */
  float bestValue(float[] values, int offset) {
    float best = Float.NEGATIVE_INFINITY;
    for (int i = 0; i < size; i++) {
      best = Math.max(best, values[offset + heap[i]]);
    }
    return best;
  }

  private static boolean ranksAbove(float[] v, int offset, int a, int b) {
    float va = v[offset + a];
    float vb = v[offset + b];
    return va > vb || (va == vb && a < b);
  }

  private void siftUp(float[] v, int offset, int i) {
    while (i > 0) {
      int parent = (i - 1) / 2;
      if (!ranksAbove(v, offset, heap[parent], heap[i])) {
        return;
      }
      swap(i, parent);
      i = parent;
    }
  }

  private void siftDown(float[] v, int offset, int i) {
    while (true) {
      int weakest = i;
      int left = 2 * i + 1;
      int right = left + 1;
      if (left < size && ranksAbove(v, offset, heap[weakest], heap[left])) {
        weakest = left;
      }
      if (right < size && ranksAbove(v, offset, heap[weakest], heap[right])) {
        weakest = right;
      }
      if (weakest == i) {
        return;
      }
      swap(i, weakest);
      i = weakest;
    }
  }

  private void swap(int a, int b) {
    int t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
  }
}

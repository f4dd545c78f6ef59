package org.relreason.model.nn;

/**
 * Which views are paired in one step, and the target of each pair.
 *
 * <p>Features arrive view-major: view {@code v} of image {@code n} is row {@code v*M + n}. For
 * every pair of view indices {@code i < j} (in lexicographic order, one "block" each) there are M
 * positives {@code (z_i[n], z_j[n])} and M negatives {@code (z_i[n], z_j[(n+s) mod M])}. The shift
 * {@code s} starts at 1, grows by one per block and wraps to 1 when it reaches M, as in the paper's
 * code, so that successive blocks pair different images. (PyTorch's {@code roll(z_j, s)} reads
 * {@code z_j[n-s]}; the issue that specifies this project fixes {@code n+s}.)
 *
 * <p>Rows of the pair matrix: all positives first (block by block), then all negatives in the same
 * block order: {@code M·K(K−1)} rows in total.
 */
public final class PairPlan {
  private final int m;
  private final int k;
  private final int[] blockLeft;
  private final int[] blockRight;
  private final int[] blockShift;
  private final float[] targets;

  private PairPlan(int m, int k, int[] labels) {
    if (m < 2) {
      throw new IllegalArgumentException("M (images per minibatch) must be at least 2, got " + m);
    }
    if (k < 2) {
      throw new IllegalArgumentException("K (views per image) must be at least 2, got " + k);
    }
    if (labels != null && labels.length != m) {
      throw new IllegalArgumentException(labels.length + " labels for M=" + m + " images");
    }
    this.m = m;
    this.k = k;
    int blocks = k * (k - 1) / 2;
    blockLeft = new int[blocks];
    blockRight = new int[blocks];
    blockShift = new int[blocks];
    int b = 0;
    int shift = 1;
    for (int i = 0; i < k; i++) {
      for (int j = i + 1; j < k; j++) {
        blockLeft[b] = i;
        blockRight[b] = j;
        blockShift[b] = shift;
        b++;
        shift++;
        if (shift >= m) {
          shift = 1;
        }
      }
    }
    targets = new float[2 * blocks * m];
    java.util.Arrays.fill(targets, 0, blocks * m, 1f);
    if (labels != null) {
      for (b = 0; b < blocks; b++) {
        for (int n = 0; n < m; n++) {
          int a = labels[n];
          int c = labels[(n + blockShift[b]) % m];
          if (a >= 0 && a == c) {
            targets[(blocks + b) * m + n] = 1f;
          }
        }
      }
    }
  }

  /** The unsupervised plan: positives are views of the same image, all else negative. */
  public static PairPlan of(int m, int k) {
    return new PairPlan(m, k, null);
  }

  /**
   * The semi-supervised plan: as {@link #of(int, int)}, but a "negative" pair whose two images
   * carry the same known label is a positive. {@code labels[n]} is the label of image n of the
   * minibatch, or -1 when unknown.
   */
  public static PairPlan withLabels(int m, int k, int[] labels) {
    return new PairPlan(m, k, labels.clone());
  }

  /** Images per minibatch. */
  public int m() {
    return m;
  }

  /** Views per image. */
  public int k() {
    return k;
  }

  /** Number of view-index pairs {@code K(K−1)/2}. */
  public int blocks() {
    return blockLeft.length;
  }

  /** Number of pair rows, {@code M·K(K−1)}. */
  public int pairs() {
    return targets.length;
  }

  /** View index i of block b. */
  public int left(int b) {
    return blockLeft[b];
  }

  /** View index j of block b. */
  public int right(int b) {
    return blockRight[b];
  }

  /** Shift s of block b. */
  public int shift(int b) {
    return blockShift[b];
  }

  /** Feature row of the left member of pair row p. */
  public int leftRow(int p) {
    int b = (p / m) % blocks();
    return blockLeft[b] * m + p % m;
  }

  /** Feature row of the right member of pair row p. */
  public int rightRow(int p) {
    int b = (p / m) % blocks();
    int n = p % m;
    boolean negative = p >= blocks() * m;
    return blockRight[b] * m + (negative ? (n + blockShift[b]) % m : n);
  }

  /** Targets (1 = same image or same known label, 0 = different), one per pair row. */
  public float[] targets() {
    return targets.clone();
  }

  /** Target of pair row p. */
  public float target(int p) {
    return targets[p];
  }
}

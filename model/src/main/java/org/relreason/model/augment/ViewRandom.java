package org.relreason.model.augment;

/**
 * The random stream of one view: SplitMix64 (Steele, Lea &amp; Flood, OOPSLA 2014), seeded from a
 * hash of {@code (seed, epoch, imageIndex, viewIndex)}.
 *
 * <p>Written by hand rather than using {@link java.util.SplittableRandom} (the same algorithm)
 * because the JDK does not promise that stream across releases, and workers on different JVMs must
 * draw the same views. SplitMix64 is one add and a three-step mix per draw, has no allocation, and
 * its 64-bit state is plenty for the few dozen draws a view needs. Not thread-safe: one per view.
 */
final class ViewRandom {
  private static final long GOLDEN_GAMMA = 0x9E3779B97F4A7C15L;
  // Odd multipliers (so each step is a bijection of its input), one per key field, so that
  // swapping e.g. epoch and image index does not give the same stream.
  private static final long EPOCH_MUL = 0xD1B54A32D192ED03L;
  private static final long IMAGE_MUL = 0xAEF17502108EF2D9L;
  private static final long VIEW_MUL = 0xF1357AEA2E62A9C5L;

  private long state;

  private ViewRandom(long state) {
    this.state = state;
  }

  /** The stream of view {@code viewIndex} of image {@code imageIndex} in {@code epoch}. */
  static ViewRandom forView(long seed, int epoch, int imageIndex, int viewIndex) {
    return new ViewRandom(key(seed, epoch, imageIndex, viewIndex));
  }

  /**
   * Absorbs the four values one at a time through the SplitMix64 finaliser. Each step is a
   * bijection in the value it absorbs, so two keys that differ in one field never collide, and the
   * finaliser's avalanche makes neighbouring indices give unrelated streams.
   */
  static long key(long seed, int epoch, int imageIndex, int viewIndex) {
    long h = mix64(seed + GOLDEN_GAMMA);
    h = mix64(h + epoch * EPOCH_MUL);
    h = mix64(h + imageIndex * IMAGE_MUL);
    return mix64(h + viewIndex * VIEW_MUL);
  }

  /** SplitMix64's finaliser (Stafford's variant 13 of the MurmurHash3 mixer). */
  static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  long nextLong() {
    state += GOLDEN_GAMMA;
    return mix64(state);
  }

  /** Uniform on [0, 1) with 53 random bits. */
  double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform on [lo, hi]; {@code lo} exactly when the range is a single value. */
  double uniform(double lo, double hi) {
    return lo == hi ? lo : lo + (hi - lo) * nextDouble();
  }

  /** Whether an event of probability {@code p} happens: never for 0, always for 1. */
  boolean chance(double p) {
    return nextDouble() < p;
  }

  /** Uniform on {0, ..., bound - 1} without modulo bias (Lemire's rejection on 32 bits). */
  int nextInt(int bound) {
    long m = (nextLong() >>> 32) * bound;
    long low = m & 0xFFFFFFFFL;
    if (low < bound) {
      long threshold = (0x1_0000_0000L - bound) % bound;
      while (low < threshold) {
        m = (nextLong() >>> 32) * bound;
        low = m & 0xFFFFFFFFL;
      }
    }
    return (int) (m >>> 32);
  }
}

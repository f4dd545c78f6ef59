package org.relreason.model.train;

/**
 * Seed derivation: every random choice of a run comes from the one configured seed mixed with what
 * it is for (epoch, image, role), so it is the same in any process and order.
 */
public final class Seeds {
  private Seeds() {}

  /** SplitMix64's finaliser (Steele, Lea and Flood 2014): a bijective 64-bit mix. */
  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A seed for {@code purpose} derived from {@code seed}. */
  public static long mix(long seed, long purpose) {
    return mix64(mix64(seed) + 0x9E3779B97F4A7C15L * (purpose + 1));
  }

  /** A uniform double in [0, 1) determined by (seed, purpose). */
  public static double uniform(long seed, long purpose) {
    return (mix(seed, purpose) >>> 11) * 0x1.0p-53;
  }
}

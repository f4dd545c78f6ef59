package org.relreason.model.train;

import java.util.stream.IntStream;

/**
 * Loops over long float vectors (ResNet-34's 21.6 M parameters) split into chunks on the common
 * fork-join pool: Adam's update and the non-finite check of a step's gradient. Each position's
 * arithmetic is the same as in one sequential loop, so results are bit-identical to it.
 */
public final class ParallelChunks {
  /** Vectors from this length on run in parallel chunks; shorter ones in one call. */
  static final int PARALLEL_FROM = 1 << 20;

  private static final int CHUNK = 1 << 16;

  private ParallelChunks() {}

  /** A range {@code [from, to)} of positions. */
  interface Range {
    void run(int from, int to);
  }

  /**
   * Runs {@code body} over {@code [0, length)}: in one call below {@link #PARALLEL_FROM}, else in
   * chunks of 65,536.
   */
  static void run(int length, Range body) {
    if (length < PARALLEL_FROM) {
      body.run(0, length);
      return;
    }
    int chunks = (length + CHUNK - 1) / CHUNK;
    IntStream.range(0, chunks)
        .parallel()
        .forEach(c -> body.run(c * CHUNK, Math.min(length, (c + 1) * CHUNK)));
  }

  /** The first index of a NaN or infinite value of {@code g}, or -1. */
  public static int firstNonFinite(float[] g) {
    int[] first = {Integer.MAX_VALUE};
    run(
        g.length,
        (from, to) -> {
          for (int i = from; i < to; i++) {
            if (!Float.isFinite(g[i])) {
              synchronized (first) {
                first[0] = Math.min(first[0], i);
              }
              return;
            }
          }
        });
    return first[0] == Integer.MAX_VALUE ? -1 : first[0];
  }
}

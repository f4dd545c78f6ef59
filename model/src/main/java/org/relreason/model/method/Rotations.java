package org.relreason.model.method;

/**
 * RotationNet's input (Gidaris et al. 2018): every image turned by 0°, 90°, 180° and 270°
 * counter-clockwise (numpy's {@code rot90}), labelled 0–3. Images must be square so that the four
 * rotations share one shape.
 */
public final class Rotations {
  /** Number of rotations (classes of the head). */
  public static final int COUNT = 4;

  private Rotations() {}

  /**
   * Rotates one planar image {@code [C, S, S]} at {@code from} by {@code quarterTurns} ×90°
   * counter-clockwise into {@code out} at {@code to}: one turn maps {@code out[y][x] =
   * in[x][S−1−y]}.
   */
  public static void rotate(
      float[] in, int from, int channels, int size, int quarterTurns, float[] out, int to) {
    int q = Math.floorMod(quarterTurns, COUNT);
    int plane = size * size;
    for (int c = 0; c < channels; c++) {
      int src = from + c * plane;
      int dst = to + c * plane;
      for (int y = 0; y < size; y++) {
        for (int x = 0; x < size; x++) {
          int sy;
          int sx;
          switch (q) {
            case 0 -> {
              sy = y;
              sx = x;
            }
            case 1 -> {
              sy = x;
              sx = size - 1 - y;
            }
            case 2 -> {
              sy = size - 1 - y;
              sx = size - 1 - x;
            }
            default -> {
              sy = size - 1 - x;
              sx = y;
            }
          }
          out[dst + y * size + x] = in[src + sy * size + sx];
        }
      }
    }
  }

  /**
   * The four rotations of M images {@code [M, C, S, S]}, rotation-major: rotation r of image n at
   * row {@code r*M + n}, with label r.
   */
  public static float[] expand(float[] images, int m, int channels, int size) {
    int len = channels * size * size;
    if (images.length != m * len) {
      throw new IllegalArgumentException(
          images.length + " values for " + m + " images of " + channels + "x" + size + "x" + size);
    }
    float[] out = new float[COUNT * images.length];
    for (int r = 0; r < COUNT; r++) {
      for (int n = 0; n < m; n++) {
        rotate(images, n * len, channels, size, r, out, (r * m + n) * len);
      }
    }
    return out;
  }

  /** The labels of {@link #expand}: {@code r} for rows {@code r*M … r*M + M − 1}. */
  public static int[] labels(int m) {
    int[] y = new int[COUNT * m];
    for (int i = 0; i < y.length; i++) {
      y[i] = i / m;
    }
    return y;
  }
}

package org.relreason.model.augment;

/**
 * Per-thread working memory of one view: the float image between steps and the bilinear lookup
 * tables. Reused from view to view so the hot path allocates nothing per pixel.
 */
final class Scratch {
  float[] pixels = new float[0];
  int[] rowLo = new int[0];
  int[] rowHi = new int[0];
  float[] rowW0 = new float[0];
  float[] rowW1 = new float[0];
  int[] colLo = new int[0];
  int[] colHi = new int[0];
  float[] colW0 = new float[0];
  float[] colW1 = new float[0];

  /** Grows the buffers to hold a {@code channels x height x width} view. */
  Scratch ensure(int channels, int height, int width) {
    if (pixels.length < channels * height * width) {
      pixels = new float[channels * height * width];
    }
    if (rowLo.length < height) {
      rowLo = new int[height];
      rowHi = new int[height];
      rowW0 = new float[height];
      rowW1 = new float[height];
    }
    if (colLo.length < width) {
      colLo = new int[width];
      colHi = new int[width];
      colW0 = new float[width];
      colW1 = new float[width];
    }
    return this;
  }
}

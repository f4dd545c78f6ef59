package org.relreason.model.augment;

import org.relreason.model.data.ImageSet;

/**
 * Crop, resize and optional horizontal flip in one pass, straight from the set's unsigned bytes to
 * floats on [0, 1]. Follows PyTorch's {@code upsample_bilinear2d} with {@code align_corners=False}
 * and no antialias: output sample {@code o} reads source coordinate {@code (o + 0.5) * in/out -
 * 0.5}, clamped at 0, between the two nearest pixels (the second clamped at the last one).
 */
final class BilinearCrop {
  private BilinearCrop() {}

  /**
   * Writes the view of {@code box} of image {@code image}, resized to {@code outH x outW} and
   * mirrored if {@code flip}, planar into {@code s.pixels}. A box the size of the output copies
   * exactly: the weights are then 1 and 0.
   */
  static void resample(
      ImageSet set, int image, CropBox box, boolean flip, int outH, int outW, Scratch s) {
    table(box.top(), box.height(), outH, false, s.rowLo, s.rowHi, s.rowW0, s.rowW1);
    // Flipping the output columns is flipping the crop: reverse the column table, free of cost.
    table(box.left(), box.width(), outW, flip, s.colLo, s.colHi, s.colW0, s.colW1);
    byte[] src = set.pixels();
    int srcW = set.width();
    int srcPlane = set.height() * srcW;
    float[] dst = s.pixels;
    int o = 0;
    for (int c = 0; c < set.channels(); c++) {
      int base = (image * set.channels() + c) * srcPlane;
      for (int y = 0; y < outH; y++) {
        int r0 = base + s.rowLo[y] * srcW;
        int r1 = base + s.rowHi[y] * srcW;
        float wy0 = s.rowW0[y];
        float wy1 = s.rowW1[y];
        for (int x = 0; x < outW; x++) {
          int x0 = s.colLo[x];
          int x1 = s.colHi[x];
          float wx0 = s.colW0[x];
          float wx1 = s.colW1[x];
          float top = wx0 * (src[r0 + x0] & 0xFF) + wx1 * (src[r0 + x1] & 0xFF);
          float bottom = wx0 * (src[r1 + x0] & 0xFF) + wx1 * (src[r1 + x1] & 0xFF);
          // Divide (not multiply by 1/255) so an unresized pixel equals Normalization's value.
          dst[o++] = (wy0 * top + wy1 * bottom) / 255f;
        }
      }
    }
  }

  /** Source indices and weights of each output sample along one axis; float as PyTorch does. */
  private static void table(
      int start, int in, int out, boolean reverse, int[] lo, int[] hi, float[] w0, float[] w1) {
    float scale = (float) in / out;
    for (int o = 0; o < out; o++) {
      float src = Math.max(0f, scale * (o + 0.5f) - 0.5f);
      int i0 = Math.min((int) src, in - 1);
      int t = reverse ? out - 1 - o : o;
      lo[t] = start + i0;
      hi[t] = start + (i0 < in - 1 ? i0 + 1 : i0);
      w1[t] = src - i0;
      w0[t] = 1f - w1[t];
    }
  }
}

package org.relreason.model.augment;

import org.relreason.model.augment.AugmentationConfig.Range;

/**
 * A crop of an image: rows {@code [top, top + height)}, columns {@code [left, left + width)}.
 *
 * @param top first row
 * @param left first column
 * @param height rows in the crop
 * @param width columns in the crop
 */
record CropBox(int top, int left, int height, int width) {

  /** The whole {@code height x width} image. */
  static CropBox whole(int height, int width) {
    return new CropBox(0, 0, height, width);
  }

  /**
   * torchvision's {@code RandomResizedCrop.get_params}: up to ten tries at an area fraction drawn
   * uniformly from {@code scale} and an aspect ratio drawn log-uniformly from {@code ratio}; if
   * none fits, a central crop of the whole image with its ratio clamped into {@code ratio}. Sides
   * are rounded half-to-even as Python's {@code round} does.
   */
  static CropBox sample(Range scale, Range ratio, int height, int width, ViewRandom rng) {
    double area = (double) height * width;
    double logLo = Math.log(ratio.min());
    double logHi = Math.log(ratio.max());
    for (int attempt = 0; attempt < 10; attempt++) {
      double target = area * rng.uniform(scale.min(), scale.max());
      double aspect = Math.exp(rng.uniform(logLo, logHi));
      int w = (int) Math.rint(Math.sqrt(target * aspect));
      int h = (int) Math.rint(Math.sqrt(target / aspect));
      if (0 < w && w <= width && 0 < h && h <= height) {
        int top = rng.nextInt(height - h + 1);
        int left = rng.nextInt(width - w + 1);
        return new CropBox(top, left, h, w);
      }
    }
    return centralFallback(ratio, height, width);
  }

  private static CropBox centralFallback(Range ratio, int height, int width) {
    double inRatio = (double) width / height;
    int w = width;
    int h = height;
    if (inRatio < ratio.min()) {
      h = (int) Math.rint(w / ratio.min());
    } else if (inRatio > ratio.max()) {
      w = (int) Math.rint(h * ratio.max());
    }
    return new CropBox((height - h) / 2, (width - w) / 2, h, w);
  }
}

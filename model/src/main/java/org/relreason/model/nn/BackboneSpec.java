package org.relreason.model.nn;

/**
 * What backbone to build.
 *
 * @param kind the architecture
 * @param width channel multiplier (1 = the paper's widths; the widening factor of Kolesnikov et al.
 *     2019); channel counts are rounded and at least 1
 * @param channels input channels
 * @param height input height
 * @param widthPx input width in pixels
 */
public record BackboneSpec(BackboneKind kind, double width, int channels, int height, int widthPx) {
  public BackboneSpec {
    if (!(width > 0 && width <= 16)) {
      throw new IllegalArgumentException("width multiplier must be in (0, 16], got " + width);
    }
    if (channels < 1 || height < 8 || widthPx < 8) {
      throw new IllegalArgumentException(
          "input must be at least 1x8x8, got " + channels + "x" + height + "x" + widthPx);
    }
  }

  /** {@code base} channels scaled by the width multiplier. */
  public int scaled(int base) {
    return Math.max(1, (int) Math.round(base * width));
  }
}

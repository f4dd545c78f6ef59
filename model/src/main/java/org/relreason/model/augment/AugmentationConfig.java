package org.relreason.model.augment;

/**
 * Parameters of the paper's augmentation pipeline, validated once at construction. Factor ranges
 * are explicit {@code [min, max]} intervals rather than torchvision's single strength, so that a
 * test (or an ablation) can pin a factor to one value; {@link Range#around} converts a strength.
 *
 * @param outputHeight rows of every view
 * @param outputWidth columns of every view
 * @param scale crop area as a fraction of the image area, sampled uniformly (torchvision {@code
 *     scale})
 * @param ratio crop aspect ratio width/height, sampled log-uniformly (torchvision {@code ratio})
 * @param flipProbability probability of a horizontal flip
 * @param jitterProbability probability that colour jitter is applied to a view at all
 * @param brightness brightness factor range; 1 keeps the image
 * @param contrast contrast factor range; 1 keeps the image
 * @param saturation saturation factor range; 1 keeps the image (RGB only)
 * @param hue hue shift range in turns, within [-0.5, 0.5]; 0 keeps the image (RGB only)
 * @param grayscaleProbability probability of converting the view to grayscale (RGB only)
 */
public record AugmentationConfig(
    int outputHeight,
    int outputWidth,
    Range scale,
    Range ratio,
    double flipProbability,
    double jitterProbability,
    Range brightness,
    Range contrast,
    Range saturation,
    Range hue,
    double grayscaleProbability) {

  /**
   * A closed interval {@code [min, max]} a factor is drawn from uniformly.
   *
   * @param min lower bound
   * @param max upper bound, at least {@code min}
   */
  public record Range(double min, double max) {

    /**
     * torchvision's {@code ColorJitter} convention for brightness, contrast and saturation: {@code
     * [max(0, center - x), center + x]}. Not for hue, whose range is {@code [-x, x]}.
     */
    public static Range around(double center, double x) {
      return new Range(Math.max(0, center - x), center + x);
    }

    /** The single value {@code v}: the factor is no longer random. */
    public static Range fixed(double v) {
      return new Range(v, v);
    }

    /** Whether this range only holds {@code v}. */
    boolean isOnly(double v) {
      return min == v && max == v;
    }
  }

  /**
   * The paper's (and SimCLR's) pipeline at CIFAR's 32x32: scale (0.08, 1), ratio (3/4, 4/3), flip
   * 0.5, ColorJitter(0.8, 0.8, 0.8, 0.2) with probability 0.8, grayscale 0.2.
   */
  public static AugmentationConfig paper() {
    return new AugmentationConfig(
        32,
        32,
        new Range(0.08, 1.0),
        new Range(3.0 / 4.0, 4.0 / 3.0),
        0.5,
        0.8,
        Range.around(1, 0.8),
        Range.around(1, 0.8),
        Range.around(1, 0.8),
        new Range(-0.2, 0.2), // not around(): hue may go negative
        0.2);
  }

  public AugmentationConfig {
    if (outputHeight < 1 || outputWidth < 1) {
      throw new IllegalArgumentException(
          "outputHeight and outputWidth must be positive, got " + outputHeight + "x" + outputWidth);
    }
    checkRange("scale", scale, true, 1, "0 < min <= max <= 1");
    checkRange("ratio", ratio, true, Double.MAX_VALUE, "0 < min <= max, finite");
    checkProbability("flipProbability", flipProbability);
    checkProbability("jitterProbability", jitterProbability);
    checkRange("brightness", brightness, false, Double.MAX_VALUE, "0 <= min <= max, finite");
    checkRange("contrast", contrast, false, Double.MAX_VALUE, "0 <= min <= max, finite");
    checkRange("saturation", saturation, false, Double.MAX_VALUE, "0 <= min <= max, finite");
    checkHue(hue);
    checkProbability("grayscaleProbability", grayscaleProbability);
  }

  /** Checks {@code 0 < min} (or {@code 0 <= min}) {@code <= max <= hi}; NaN fails every test. */
  private static void checkRange(String field, Range r, boolean positive, double hi, String rule) {
    boolean ok =
        r != null && (positive ? r.min() > 0 : r.min() >= 0) && r.min() <= r.max() && r.max() <= hi;
    if (!ok) {
      throw new IllegalArgumentException(field + " must satisfy " + rule + ", got " + r);
    }
  }

  /** torchvision bounds the hue shift to half a turn either way. */
  private static void checkHue(Range r) {
    if (r == null || !(r.min() >= -0.5 && r.min() <= r.max() && r.max() <= 0.5)) {
      throw new IllegalArgumentException("hue must satisfy -0.5 <= min <= max <= 0.5, got " + r);
    }
  }

  private static void checkProbability(String field, double p) {
    if (!(p >= 0 && p <= 1)) {
      throw new IllegalArgumentException(field + " must be in [0, 1], got " + p);
    }
  }

  /** This configuration with another output size. */
  public AugmentationConfig withOutputSize(int height, int width) {
    return new AugmentationConfig(
        height,
        width,
        scale,
        ratio,
        flipProbability,
        jitterProbability,
        brightness,
        contrast,
        saturation,
        hue,
        grayscaleProbability);
  }

  /** This configuration with other crop scale and ratio ranges. */
  public AugmentationConfig withCrop(Range scale, Range ratio) {
    return new AugmentationConfig(
        outputHeight,
        outputWidth,
        scale,
        ratio,
        flipProbability,
        jitterProbability,
        brightness,
        contrast,
        saturation,
        hue,
        grayscaleProbability);
  }

  /** This configuration with another flip probability. */
  public AugmentationConfig withFlipProbability(double p) {
    return new AugmentationConfig(
        outputHeight,
        outputWidth,
        scale,
        ratio,
        p,
        jitterProbability,
        brightness,
        contrast,
        saturation,
        hue,
        grayscaleProbability);
  }

  /** This configuration with another colour jitter: its probability and its four ranges. */
  public AugmentationConfig withJitter(
      double p, Range brightness, Range contrast, Range saturation, Range hue) {
    return new AugmentationConfig(
        outputHeight,
        outputWidth,
        scale,
        ratio,
        flipProbability,
        p,
        brightness,
        contrast,
        saturation,
        hue,
        grayscaleProbability);
  }

  /** This configuration with another grayscale probability. */
  public AugmentationConfig withGrayscaleProbability(double p) {
    return new AugmentationConfig(
        outputHeight,
        outputWidth,
        scale,
        ratio,
        flipProbability,
        jitterProbability,
        brightness,
        contrast,
        saturation,
        hue,
        p);
  }
}

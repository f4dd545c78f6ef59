package org.relreason.model.augment;

/**
 * torchvision's {@code ColorJitter} on float images in [0, 1], planar, for one view: the four
 * adjustments in a random order with random factors, each clamped to [0, 1] as torchvision's {@code
 * _blend} does. An adjustment whose range holds only its identity value is left out, as torchvision
 * sets it to {@code None}; saturation and hue are left out on 1-channel images, where torchvision
 * makes them no-ops.
 *
 * <p>Contrast blends with the mean luma of the image as it is when contrast comes up, so it splits
 * the order into two passes; the other adjustments are per pixel and run fused within a pass.
 */
final class ColorJitter {
  static final int BRIGHTNESS = 0;
  static final int CONTRAST = 1;
  static final int SATURATION = 2;
  static final int HUE = 3;

  private final int[] ops;
  private final int count;
  private final float brightness;
  private final float contrast;
  private final float saturation;
  private final float hue;

  private ColorJitter(int[] ops, int count, float b, float c, float s, float h) {
    this.ops = ops;
    this.count = count;
    this.brightness = b;
    this.contrast = c;
    this.saturation = s;
    this.hue = h;
  }

  /**
   * Draws as {@code ColorJitter.get_params} does: a permutation of the four adjustments, then the
   * brightness, contrast, saturation and hue factors of those that are enabled.
   */
  static ColorJitter draw(AugmentationConfig cfg, int channels, ViewRandom rng) {
    int[] order = {BRIGHTNESS, CONTRAST, SATURATION, HUE};
    for (int i = order.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    // Which factors are drawn depends on the config only, as in torchvision; whether an
    // adjustment runs also depends on the channels.
    float b = factor(cfg.brightness(), 1, rng);
    float c = factor(cfg.contrast(), 1, rng);
    float s = factor(cfg.saturation(), 1, rng);
    float h = factor(cfg.hue(), 0, rng);
    boolean rgb = channels == 3;
    boolean[] on = {
      !cfg.brightness().isOnly(1),
      !cfg.contrast().isOnly(1),
      rgb && !cfg.saturation().isOnly(1),
      rgb && !cfg.hue().isOnly(0)
    };
    int n = 0;
    for (int op : order) {
      if (on[op]) {
        order[n++] = op;
      }
    }
    return new ColorJitter(order, n, b, c, s, h);
  }

  /** The adjustments that run, in their drawn order ({@link #BRIGHTNESS} ... {@link #HUE}). */
  int[] order() {
    return java.util.Arrays.copyOf(ops, count);
  }

  /** The drawn factor of an adjustment (identity when its range holds only that). */
  float factor(int op) {
    return switch (op) {
      case BRIGHTNESS -> brightness;
      case CONTRAST -> contrast;
      case SATURATION -> saturation;
      default -> hue;
    };
  }

  /** A factor drawn from {@code r}, or {@code identity} without a draw if that is all it holds. */
  private static float factor(AugmentationConfig.Range r, float identity, ViewRandom rng) {
    return r.isOnly(identity) ? identity : (float) rng.uniform(r.min(), r.max());
  }

  /** Applies the adjustments to the {@code channels x n} planar image in {@code px}. */
  void apply(float[] px, int channels, int n) {
    int split = 0;
    while (split < count && ops[split] != CONTRAST) {
      split++;
    }
    pass(px, channels, n, 0, split, 0f);
    if (split < count) {
      pass(px, channels, n, split, count, meanLuma(px, channels, n));
    }
  }

  private void pass(float[] px, int channels, int n, int from, int to, float mean) {
    if (from == to) {
      return;
    }
    if (channels == 3) {
      passRgb(px, n, from, to, mean);
    } else {
      passMono(px, n, from, to, mean);
    }
  }

  /**
   * One pixel at a time through the ops of the pass, kept in registers; {@code (1 - f) * other} is
   * hoisted but computed as torchvision's {@code _blend} does, so the result is the same.
   */
  private void passRgb(float[] px, int n, int from, int to, float mean) {
    float contrastRest = (1f - contrast) * mean;
    float saturationKeep = 1f - saturation;
    for (int p = 0; p < n; p++) {
      float r = px[p];
      float g = px[p + n];
      float b = px[p + 2 * n];
      for (int k = from; k < to; k++) {
        switch (ops[k]) {
          case BRIGHTNESS -> {
            r = clamp01(brightness * r);
            g = clamp01(brightness * g);
            b = clamp01(brightness * b);
          }
          case CONTRAST -> {
            r = clamp01(contrast * r + contrastRest);
            g = clamp01(contrast * g + contrastRest);
            b = clamp01(contrast * b + contrastRest);
          }
          case SATURATION -> {
            float rest = saturationKeep * luma(r, g, b);
            r = clamp01(saturation * r + rest);
            g = clamp01(saturation * g + rest);
            b = clamp01(saturation * b + rest);
          }
          default -> {
            set(px, p, n, r, g, b);
            shiftHue(px, p, n, hue);
            r = px[p];
            g = px[p + n];
            b = px[p + 2 * n];
          }
        }
      }
      set(px, p, n, r, g, b);
    }
  }

  /** Brightness and contrast are the only adjustments a 1-channel image gets. */
  private void passMono(float[] px, int n, int from, int to, float mean) {
    float contrastRest = (1f - contrast) * mean;
    for (int p = 0; p < n; p++) {
      float v = px[p];
      for (int k = from; k < to; k++) {
        v = ops[k] == BRIGHTNESS ? clamp01(brightness * v) : clamp01(contrast * v + contrastRest);
      }
      px[p] = v;
    }
  }

  /** Luma of ITU-R BT.601, as {@code rgb_to_grayscale} and PIL's {@code convert("L")}. */
  static float luma(float r, float g, float b) {
    return 0.299f * r + 0.587f * g + 0.114f * b;
  }

  /** Mean luma of an RGB image, or mean value of a 1-channel one; summed in double. */
  static float meanLuma(float[] px, int channels, int n) {
    double sum = 0;
    for (int p = 0; p < n; p++) {
      sum += channels == 3 ? luma(px[p], px[p + n], px[p + 2 * n]) : px[p];
    }
    return (float) (sum / n);
  }

  static float clamp01(float v) {
    return Math.min(1f, Math.max(0f, v));
  }

  /**
   * Rotates the hue of pixel {@code p} by {@code shift} turns through HSV, transcribing
   * torchvision's {@code _rgb2hsv} and {@code _hsv2rgb} in float32.
   */
  static void shiftHue(float[] px, int p, int n, float shift) {
    float r = px[p];
    float g = px[p + n];
    float b = px[p + 2 * n];
    float v = Math.max(r, Math.max(g, b));
    float cr = v - Math.min(r, Math.min(g, b));
    boolean grey = cr == 0f;
    float s = cr / (grey ? 1f : v);
    float div = grey ? 1f : cr;
    float rc = (v - r) / div;
    float gc = (v - g) / div;
    float bc = (v - b) / div;
    float h;
    if (v == r) {
      h = bc - gc;
    } else if (v == g) {
      h = 2f + rc - bc;
    } else {
      h = 4f + gc - rc;
    }
    // torchvision's fmod(h / 6 + 1, 1). The argument lies in [5/6, 11/6], where subtracting 1
    // is exact and so equals fmod bit for bit, and Java's float % is a slow library call.
    h = h / 6f + 1f;
    if (h >= 1f) {
      h -= 1f;
    }
    h += shift;
    h -= (float) Math.floor(h); // Python's % 1.0: the result is in [0, 1) for negative h too
    hsvToRgb(px, p, n, h, s, v);
  }

  private static void hsvToRgb(float[] px, int p, int n, float h, float s, float v) {
    float i = (float) Math.floor(h * 6f);
    float f = h * 6f - i;
    float lo = clamp01(v * (1f - s));
    float down = clamp01(v * (1f - s * f));
    float up = clamp01(v * (1f - s * (1f - f)));
    switch (((int) i) % 6) {
      case 0 -> set(px, p, n, v, up, lo);
      case 1 -> set(px, p, n, down, v, lo);
      case 2 -> set(px, p, n, lo, v, up);
      case 3 -> set(px, p, n, lo, down, v);
      case 4 -> set(px, p, n, up, lo, v);
      default -> set(px, p, n, v, lo, down);
    }
  }

  private static void set(float[] px, int p, int n, float r, float g, float b) {
    px[p] = r;
    px[p + n] = g;
    px[p + 2 * n] = b;
  }
}

package org.relreason.model.eval;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The augmentation of the fine-tuning protocol's training images, as the authors' fine-tuning
 * transforms ({@code datamanager.py}, method {@code "finetune"} of the paper's repository): a
 * horizontal flip with probability {@code flip}; with probability {@code affine} a random affine
 * map (rotation uniform in ±{@code degrees}, translation uniform in ±{@code translate} of the side
 * and rounded to whole pixels, scale uniform in [{@code scaleMin}, {@code scaleMax}], horizontal
 * shear uniform in ±{@code shear} degrees; bilinear, black outside the image), then, after
 * normalisation, with probability {@code erasing} a square of {@code erasingArea} of the image set
 * to 0 (the dataset's mean colour) at a uniform position. Applied by {@link FineTuneAugmenter}.
 *
 * <p>The authors' values: flip 0.5, affine 0.5 with 18°, 0.1, [0.9, 1.1] and 10°, erasing 0.5 of
 * area 0.25 (CIFAR-10), 0.0625 (CIFAR-100) or 0.111 (STL-10), aspect ratio 1. Their code defines no
 * erased area for other datasets; relreason takes CIFAR-10's for them.
 *
 * @param flip probability of a horizontal flip, in [0, 1]
 * @param affine probability of the random affine map, in [0, 1]
 * @param degrees maximum rotation in degrees, in [0, 180]
 * @param translate maximum translation as a fraction of the side, in [0, 1)
 * @param scaleMin smallest scale, in (0, scaleMax]
 * @param scaleMax largest scale, at most 10
 * @param shear maximum horizontal shear in degrees, in [0, 60]
 * @param erasing probability of erasing a square, in [0, 1]
 * @param erasingArea area of the erased square as a fraction of the image, in (0, 1)
 */
public record FineTuneAugmentation(
    double flip,
    double affine,
    double degrees,
    double translate,
    double scaleMin,
    double scaleMax,
    double shear,
    double erasing,
    double erasingArea) {

  /** No augmentation (the protocol's default, as before this option). */
  public static final FineTuneAugmentation NONE =
      new FineTuneAugmentation(0, 0, 0, 0, 1, 1, 0, 0, 0.25);

  public FineTuneAugmentation {
    check("flip", flip, 0, 1);
    check("affine", affine, 0, 1);
    check("degrees", degrees, 0, 180);
    check("translate", translate, 0, 0.999);
    check("scale-max", scaleMax, 1e-3, 10);
    check("scale-min", scaleMin, 1e-3, scaleMax);
    check("shear", shear, 0, 60);
    check("erasing", erasing, 0, 1);
    check("erasing-area", erasingArea, 1e-4, 0.999);
  }

  /** The authors' fine-tuning augmentation for a dataset (its erased area). */
  public static FineTuneAugmentation authors(String dataset) {
    double area =
        switch (dataset) {
          case "cifar100", "cifar100-20" -> 0.0625;
          case "stl10" -> 0.111;
          default -> 0.25; // cifar10's; the authors' code defines none for other datasets
        };
    return new FineTuneAugmentation(0.5, 0.5, 18, 0.1, 0.9, 1.1, 10, 0.5, area);
  }

  /**
   * Parses {@code none}, {@code authors}, or either followed by comma-separated {@code key=value}
   * overrides ({@code authors,erasing=0}); keys are {@link #asMap()}'s. An error names the key.
   */
  public static FineTuneAugmentation parse(String text, String dataset) {
    String[] parts = text.trim().toLowerCase(Locale.ROOT).split(",");
    FineTuneAugmentation base =
        switch (parts[0].trim()) {
          case "none" -> NONE;
          case "authors" -> authors(dataset);
          default ->
              throw new IllegalArgumentException(
                  "expected none or authors (then ,key=value overrides), got '" + parts[0] + "'");
        };
    Map<String, Double> m = new LinkedHashMap<>(base.asMap());
    for (int i = 1; i < parts.length; i++) {
      String[] kv = parts[i].split("=", 2);
      String key = kv[0].trim();
      if (!m.containsKey(key) || kv.length != 2) {
        throw new IllegalArgumentException(
            "'" + parts[i] + "': expected key=value with a key among " + m.keySet());
      }
      try {
        m.put(key, Double.parseDouble(kv[1].trim()));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("key '" + key + "': '" + kv[1] + "' is not a number", e);
      }
    }
    return new FineTuneAugmentation(
        m.get("flip"),
        m.get("affine"),
        m.get("degrees"),
        m.get("translate"),
        m.get("scale-min"),
        m.get("scale-max"),
        m.get("shear"),
        m.get("erasing"),
        m.get("erasing-area"));
  }

  /** Whether any image can change. */
  public boolean enabled() {
    return flip > 0 || affine > 0 || erasing > 0;
  }

  /** The settings by key, as the result records them. */
  public Map<String, Double> asMap() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("flip", flip);
    m.put("affine", affine);
    m.put("degrees", degrees);
    m.put("translate", translate);
    m.put("scale-min", scaleMin);
    m.put("scale-max", scaleMax);
    m.put("shear", shear);
    m.put("erasing", erasing);
    m.put("erasing-area", erasingArea);
    return m;
  }

  private static void check(String key, double v, double min, double max) {
    if (!(v >= min && v <= max)) {
      throw new IllegalArgumentException(
          "key '" + key + "': " + v + " is outside [" + min + ", " + max + "]");
    }
  }
}

package org.relreason.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Training throughput figures printed by {@code relreason bench} ({@code bench backbone=B K=k M=m
 * views_per_s=v ...}), which {@code relreason presets} turns into estimated wall times: the ones
 * measured on the project's 2-core machine ({@link #MEASURED}), or those of a bench output file
 * given with {@code presets --bench FILE} (a figure of this machine, then).
 *
 * @param backbone backbone id
 * @param k views per image
 * @param m images per minibatch
 * @param viewsPerSecond training views per second through the whole step
 * @param source where the figure comes from
 */
record BenchFigures(String backbone, int k, int m, double viewsPerSecond, String source) {
  private static final Pattern LINE =
      Pattern.compile(
          "^bench backbone=(\\S+) K=(\\d+) M=(\\d+)(?: views=(\\S+))? views_per_s=([0-9.]+)(?:\\s|$).*");

  private static final String HERE = "relreason bench on the project's 2-core machine, ";

  /**
   * The slower round of README's "Speed against PyTorch" table, {@code --views augmented} (a run's
   * real step, augmentation included), 2f54139 (Conv-4) and f156eaa / 65b5bd8 (ResNets), quiet.
   */
  private static final String R3 = "2026-12-04 evening, quiet (README, Speed)";

  /**
   * Measured on the project's machine (2 cores, oneDNN+AVX2 natives, 2 ND4J threads). A step's head
   * cost per view is K−1 pairs whatever M is, so a figure at a smaller M (ResNets, to bound memory
   * and time) carries over to M = 64 up to batch-size effects.
   */
  static final List<BenchFigures> MEASURED =
      List.of(
          new BenchFigures("conv4", 4, 64, 3332, HERE + R3),
          new BenchFigures("conv4", 16, 64, 3051, HERE + R3),
          new BenchFigures("conv4", 32, 64, 2715, HERE + R3),
          new BenchFigures("resnet32", 4, 64, 238.5, HERE + R3),
          new BenchFigures("resnet32", 16, 64, 207.4, HERE + R3),
          new BenchFigures("resnet32", 32, 16, 15.1, HERE + "2026-12-03, load 3.5-6.5"),
          new BenchFigures("resnet34", 25, 4, 29.7, HERE + R3 + ", 96x96"));

  /**
   * The figures of a {@code relreason bench} output file; lines that are not figures are skipped,
   * and so are {@code views=fixed} lines (the step alone, without building the views: not what a
   * run takes).
   */
  static List<BenchFigures> read(Path file) throws IOException {
    List<BenchFigures> out = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      Matcher mt = LINE.matcher(line.trim());
      if (mt.matches() && (mt.group(4) == null || mt.group(4).equals("augmented"))) {
        out.add(
            new BenchFigures(
                mt.group(1),
                Integer.parseInt(mt.group(2)),
                Integer.parseInt(mt.group(3)),
                Double.parseDouble(mt.group(5)),
                "relreason bench on this machine (" + file + ")"));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          file + " holds no 'bench backbone=... K=... M=... views_per_s=...' line");
    }
    return out;
  }

  /**
   * The figure for a backbone and K: the one measured at that K (the largest M first), else none:
   * throughput falls with K (the head's pairs per view are K−1), so another K's figure would
   * mislead.
   */
  static Optional<BenchFigures> forSetting(List<BenchFigures> figures, String backbone, int k) {
    return figures.stream()
        .filter(f -> f.backbone.equals(backbone) && f.k == k)
        .max(Comparator.comparingInt(BenchFigures::m));
  }

  /** Side of the synthetic images {@code bench} measures a backbone on (BenchCommand.runOne). */
  static int benchSide(String backbone) {
    return backbone.equals("resnet34") ? 96 : 32;
  }

  /** Side of a dataset's images as the backbone sees them (Fashion-MNIST padded to 32). */
  static final Map<String, Integer> SIDE =
      Map.of(
          "fashion-mnist", 32,
          "mnist", 32,
          "cifar10", 32,
          "cifar100", 32,
          "cifar100-20", 32,
          "stl10", 96,
          "tiny-imagenet", 64);

  /** Pre-training images of each dataset's training split (what one epoch visits). */
  static final Map<String, Integer> TRAIN_IMAGES =
      Map.of(
          "fashion-mnist", 60_000,
          "mnist", 60_000,
          "cifar10", 50_000,
          "cifar100", 50_000,
          "cifar100-20", 50_000,
          "stl10", 5_000,
          "tiny-imagenet", 100_000);
}

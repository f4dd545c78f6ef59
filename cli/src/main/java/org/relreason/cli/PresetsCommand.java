package org.relreason.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.relreason.model.config.TrainConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code presets}: lists {@link Preset#ALL} with each one's settings, its source in the paper and
 * the estimated pre-training wall time on this machine: steps × M × K views divided by the views/s
 * that {@code relreason bench} measured for the preset's backbone and K ({@link BenchFigures}).
 */
@Command(
    name = "presets",
    mixinStandardHelpOptions = true,
    description = {
      "Lists the paper's settings that train --preset NAME starts from, with the estimated",
      "pre-training wall time from measured bench views/s (flags given to train override a preset)."
    })
final class PresetsCommand implements Callable<Integer> {
  @Option(
      names = "--bench",
      paramLabel = "FILE",
      description =
          "output of relreason bench on this machine (e.g. relreason bench --backbones conv4 --k 32"
              + " > FILE) to estimate from, instead of the figures measured on the project's machine")
  Path benchFile;

  @Override
  public Integer call() throws Exception {
    List<BenchFigures> figures =
        benchFile == null ? BenchFigures.MEASURED : BenchFigures.read(benchFile);
    TrainConfig defaults = TrainConfig.defaults();
    for (Preset p : Preset.ALL) {
      System.out.println(p.name() + ": " + p.note() + " (" + p.source() + ")");
      System.out.println("  keys: " + keys(p));
      System.out.println("  " + estimate(p, defaults, figures));
    }
    System.out.println(
        "Estimates are pre-training only (evaluation adds minutes); measure this machine with"
            + " relreason bench --backbones B --k K > FILE and pass --bench FILE.");
    return 0;
  }

  /** {@code --key value} pairs, as they would be typed. */
  static String keys(Preset p) {
    return p.values().entrySet().stream()
        .map(e -> "--" + e.getKey() + " " + e.getValue())
        .collect(Collectors.joining(" "));
  }

  /** The estimated pre-training time of a preset, and where the figure behind it comes from. */
  static String estimate(Preset p, TrainConfig defaults, List<BenchFigures> figures) {
    String backbone = p.get("backbone", defaults.backbone().id());
    String dataset = p.get("dataset", defaults.dataset());
    int k = Integer.parseInt(p.get("k", Integer.toString(defaults.k())));
    int m = Integer.parseInt(p.get("m", Integer.toString(defaults.m())));
    int epochs = Integer.parseInt(p.get("epochs", Integer.toString(defaults.epochs())));
    long steps = (long) epochs * (BenchFigures.TRAIN_IMAGES.get(dataset) / m);
    double views = (double) steps * m * k;
    String work = String.format("%,d steps, %s views", steps, compact(views));
    Optional<BenchFigures> f = BenchFigures.forSetting(figures, backbone, k);
    if (f.isEmpty()) {
      return "pre-training: "
          + work
          + "; no bench figure for "
          + backbone
          + " K="
          + k
          + " (relreason bench --backbones "
          + backbone
          + " --k "
          + k
          + ")";
    }
    BenchFigures b = f.get();
    // bench measures one image size; a step's cost grows with the pixels of the dataset's images
    double pixels =
        Math.pow(BenchFigures.SIDE.get(dataset) / (double) BenchFigures.benchSide(backbone), 2);
    String scaled =
        pixels == 1
            ? ""
            : String.format(
                "; x%.0f for %d-px images, bench measures %d px",
                pixels, BenchFigures.SIDE.get(dataset), BenchFigures.benchSide(backbone));
    return String.format(
        "pre-training: %s; estimated %s at %,.1f views/s (%s K=%d M=%d: %s%s)",
        work,
        duration(views * pixels / b.viewsPerSecond()),
        b.viewsPerSecond(),
        backbone,
        k,
        b.m(),
        b.source(),
        scaled);
  }

  /** 3.2M, 940k, 512. */
  static String compact(double n) {
    if (n >= 1e9) {
      return String.format("%.1fG", n / 1e9);
    }
    if (n >= 1e6) {
      return String.format("%.1fM", n / 1e6);
    }
    return n >= 1e4 ? String.format("%.0fk", n / 1e3) : String.format("%.0f", n);
  }

  /** A duration in the unit a reader plans with: seconds, minutes, hours or days. */
  static String duration(double seconds) {
    if (seconds < 120) {
      return String.format("%.0f s", seconds);
    }
    if (seconds < 2 * 3600) {
      return String.format("%.0f min", seconds / 60);
    }
    if (seconds < 2 * 86400) {
      return String.format("%.1f h", seconds / 3600);
    }
    return String.format("%.1f days", seconds / 86400);
  }
}

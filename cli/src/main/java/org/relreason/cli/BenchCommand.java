package org.relreason.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.fast.OpTimes;
import org.relreason.model.run.PretrainResult;
import org.relreason.model.run.Trainer;
import org.relreason.model.train.NativeMemory;
import org.relreason.model.train.Nd4jInfo;
import org.relreason.model.train.Phase;
import org.relreason.model.train.TrainListener;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code bench}: training throughput per backbone and K on synthetic images through the real step
 * (augmentation, backbone, pairing, head, loss, backward, Adam). Each setting runs in a fresh JVM
 * so that its peak memory is its own. Prints one line per setting: {@code bench backbone=conv4 K=4
 * M=64 views_per_s=... step_s=... <phase>_s=... cpu_s_per_step=... peak_rss_mb=...}. With {@code
 * --distributed} it measures the parameter server instead ({@link DistributedBench}).
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = "Measures training views/s, the split of a step by phase, and peak memory.")
final class BenchCommand implements Callable<Integer> {
  @Option(
      names = "--backbones",
      split = ",",
      defaultValue = "conv4,resnet32",
      description = "backbones (default: ${DEFAULT-VALUE})")
  List<String> backbones;

  @Option(
      names = "--k",
      split = ",",
      defaultValue = "2,4,8,16",
      description = "views per image (default: ${DEFAULT-VALUE})")
  List<Integer> ks;

  @Option(
      names = "--m",
      defaultValue = "64",
      description = "images per minibatch (default: ${DEFAULT-VALUE})")
  int m;

  @Option(
      names = "--steps",
      defaultValue = "5",
      description = "timed steps per setting (default: ${DEFAULT-VALUE})")
  int steps;

  @Option(
      names = "--warmup",
      defaultValue = "2",
      description = "untimed steps first (default: ${DEFAULT-VALUE})")
  int warmup;

  @Option(
      names = "--augment-threads",
      defaultValue = "1",
      description = "augmentation threads (default: ${DEFAULT-VALUE})")
  int augmentThreads;

  @Option(
      names = "--views",
      defaultValue = "augmented",
      description =
          "augmented: every step trains on new augmented views, built by the prefetch thread"
              + " beside the step (the real loop); fixed: one batch of views, augmented once,"
              + " every step (the step alone, as bench/pytorch_step.py times PyTorch's on fixed"
              + " images) (default: ${DEFAULT-VALUE})")
  Views views;

  /** What a timed step trains on (lower case: the option's values). */
  enum Views {
    augmented,
    fixed
  }

  @Option(
      names = "--profile",
      description =
          "also print the native-op profile of the timed steps (lines '# op <name> total_s=..."
              + " calls=.. share=.. cpu_s=..', fast-path ops only)")
  boolean profile;

  @Option(
      names = "--in-process",
      description = "run every setting in this JVM (peak memory is then cumulative)")
  boolean inProcess;

  @Option(
      names = "--distributed",
      description =
          "parameter-server costs instead: step time embedded vs 1 and 2 local worker JVMs"
              + " (Fashion-MNIST), wire bytes per step, and 8 simulated ResNet-34 workers'"
              + " aggregation rate against memory copy")
  boolean distributed;

  @Option(
      names = "--data-dir",
      defaultValue = "/usr/share/datasets/fashion-mnist",
      description = "Fashion-MNIST directory for --distributed (default: ${DEFAULT-VALUE})")
  Path dataDir;

  @Override
  public Integer call() throws Exception {
    System.out.println("# " + Nd4jInfo.line());
    if (distributed) {
      for (String b : backbones) {
        for (int k : ks) {
          String id = BackboneKind.parse(b).id();
          DistributedBench.stepTimes(id, k, m, steps, warmup, dataDir).forEach(System.out::println);
        }
      }
      System.out.println(DistributedBench.aggregation(Math.max(1, steps)));
      return 0;
    }
    for (String b : backbones) {
      BackboneKind kind = BackboneKind.parse(b);
      for (int k : ks) {
        if (inProcess) {
          System.out.println(
              runOne(kind, k, m, steps, warmup, augmentThreads, views == Views.fixed, profile));
        } else {
          fork(kind, k);
        }
      }
    }
    return 0;
  }

  /** Runs one setting in a child JVM; a failure is reported with the child's error message. */
  private void fork(BackboneKind kind, int k) throws IOException, InterruptedException {
    String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBin);
    cmd.addAll(java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments());
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            Main.class.getName(),
            "bench",
            "--in-process",
            "--backbones",
            kind.id(),
            "--k",
            Integer.toString(k),
            "--m",
            Integer.toString(m),
            "--steps",
            Integer.toString(steps),
            "--warmup",
            Integer.toString(warmup),
            "--augment-threads",
            Integer.toString(augmentThreads)));
    cmd.add("--views");
    cmd.add(views.name());
    if (profile) {
      cmd.add("--profile");
    }
    Path err = Files.createTempFile("relreason-bench", ".err");
    try {
      Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
      try (var in = p.getInputStream()) {
        for (String line : new String(in.readAllBytes()).split("\n")) {
          if (line.startsWith("bench ") || line.startsWith("# op ")) {
            System.out.println(line);
          }
        }
      }
      int code = p.waitFor();
      if (code != 0) {
        String reason =
            Files.readAllLines(err).stream()
                .filter(l -> l.startsWith("relreason:") || l.contains("OutOfMemory"))
                .reduce((a, b) -> b)
                .orElse("see the child's stderr");
        System.out.printf(
            "bench backbone=%s K=%d M=%d failed exit=%d reason=\"%s\"%n",
            kind.id(), k, m, code, reason.trim());
      }
    } finally {
      Files.deleteIfExists(err);
    }
  }

  /**
   * CPU seconds of this JVM, all threads (the figure other processes on shared cores disturb least;
   * {@code bench/pytorch_step.py} prints the same for PyTorch), or 0 where the JVM cannot tell.
   */
  private static long processCpuNanos() {
    if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      return Math.max(0, os.getProcessCpuTime());
    }
    return 0;
  }

  static String runOne(
      BackboneKind kind,
      int k,
      int m,
      int steps,
      int warmup,
      int augmentThreads,
      boolean fixedViews,
      boolean profile)
      throws IOException {
    int side = kind == BackboneKind.RESNET34 ? 96 : 32;
    int images = m * (steps + warmup);
    byte[] px = new byte[images * 3 * side * side];
    new SplittableRandom(1).nextBytes(px);
    ImageSet set = new ImageSet("synthetic", images, 3, side, side, px, null, 0);
    TrainConfig config =
        TrainConfig.of(
            Map.of(
                "backbone",
                kind.id(),
                "k",
                Integer.toString(k),
                "m",
                Integer.toString(m),
                "epochs",
                "1",
                "augment-threads",
                Integer.toString(augmentThreads)));
    try (Trainer trainer = new Trainer(config, set, Normalization.CIFAR10)) {
      TrainListener quiet = new TrainListener() {};
      PretrainResult r;
      long cpu0;
      if (fixedViews) {
        if (warmup > 0) {
          trainer.timeFixedViews(0, warmup); // untimed
        }
        OpTimes.enable(profile);
        cpu0 = processCpuNanos();
        r = trainer.timeFixedViews(0, steps);
      } else {
        trainer.pretrain(quiet, warmup);
        OpTimes.enable(profile);
        cpu0 = processCpuNanos();
        r = trainer.pretrain(quiet, warmup + steps);
      }
      double cpuPerStep = (processCpuNanos() - cpu0) / 1e9 / steps;
      OpTimes.enable(false);
      StringBuilder sb = new StringBuilder();
      sb.append(
          String.format(
              "bench backbone=%s K=%d M=%d views=%s views_per_s=%.1f step_s=%.4f",
              kind.id(),
              k,
              m,
              fixedViews ? "fixed" : "augmented",
              r.viewsPerSecond(),
              r.seconds() / steps));
      for (Phase p : Phase.values()) {
        sb.append(String.format(" %s_s=%.4f", p.id(), r.phaseSeconds().get(p.id()) / steps));
      }
      sb.append(
          String.format(
              " cpu_s_per_step=%.4f peak_rss_mb=%.0f params=%d",
              cpuPerStep, NativeMemory.peakResidentMb(), trainer.model().numParams()));
      if (profile) {
        OpTimes.report().lines().forEach(l -> sb.append("\n# ").append(l));
      }
      return sb.toString();
    }
  }
}

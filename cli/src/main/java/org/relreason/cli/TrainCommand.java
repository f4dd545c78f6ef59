package org.relreason.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.relreason.cli.fetch.DatasetSources;
import org.relreason.dashboard.RunWatch;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.DatasetFormatException;
import org.relreason.model.run.TrainJob;
import org.relreason.model.run.TrainResult;
import org.relreason.model.train.Nd4jInfo;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.DashboardOptions;
import org.relreason.observe.MetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code train}: pre-train with relational reasoning, then evaluate the backbone. */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Pre-trains a backbone by self-supervised relational reasoning on a real dataset,",
      "then drops the relation head and evaluates the frozen backbone",
      "(linear evaluation and kNN monitor).",
      "Every option below is also a key of the JSON file given with --config; flags win."
    })
final class TrainCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(TrainCommand.class);

  @Spec CommandSpec spec;

  @Option(
      names = "--config",
      paramLabel = "FILE",
      description = "JSON object of config keys and values")
  Path configFile;

  @Option(
      names = "--preset",
      paramLabel = "NAME",
      description =
          "start from a setting of the paper (relreason presets lists them); --config and flags"
              + " override its keys")
  String preset;

  // Not model configuration (and so not in the config hash): where the run can be watched.
  @Mixin DashboardOptions dashboard = new DashboardOptions();

  @Mixin MetricsOptions metrics = new MetricsOptions(0);

  @Override
  public Integer call() throws Exception {
    TrainConfig config =
        ConfigOptions.resolve(spec.commandLine().getParseResult(), configFile, preset);
    if (preset != null) {
      LOG.info("preset {}: {}", preset, Preset.named(preset).values());
    }
    LOG.info(Nd4jInfo.line());
    LOG.info("config {}", config.asMap());
    DashboardAccess access = dashboard.access(); // refuses a bad dashboard before any work
    TrainResult r;
    try (RunWatch watch =
            RunWatch.start(
                config, access.enabled() ? access : null, metrics.host(), metrics.port());
        ProgressReporter progress = new ProgressReporter()) {
      if (watch.dashboardUrl() != null) {
        System.out.println("dashboard: " + watch.dashboardUrl());
      }
      if (watch.metricsPort() > 0) {
        System.out.println(
            "metrics: http://" + metrics.host() + ":" + watch.metricsPort() + "/metrics");
      }
      if (config.workers() > 0) {
        LOG.info(
            "embedded parameter server: {} worker verticle(s), {} sharding",
            config.workers(),
            config.sharding());
      }
      r =
          TrainJob.run(
              config,
              TrainListener.both(progress, watch.listener()),
              Pretraining.watched(config, watch));
    } catch (DatasetFormatException e) {
      throw offerFetch(config, e);
    }
    System.out.printf(
        "trained %s on %s: %d steps in %.1f s (%.0f views/s), last-epoch loss %.4f, pair accuracy +%.3f / -%.3f%n",
        r.backbone(),
        r.dataset(),
        r.steps(),
        r.trainSeconds(),
        r.viewsPerSecond(),
        nan(r.finalLoss()),
        nan(r.finalPositiveAccuracy()),
        nan(r.finalNegativeAccuracy()));
    System.out.printf(
        "linear evaluation top-1 %.4f, kNN top-1 %.4f (%d train / %d test images, %.1f s)%n",
        nan(r.linearTop1()),
        nan(r.knnTop1()),
        r.evalTrainImages(),
        r.evalTestImages(),
        r.evalSeconds());
    if (r.randomLinearTop1() != null) {
      System.out.printf(
          "random-weights baseline: linear top-1 %.4f, kNN top-1 %.4f%n",
          r.randomLinearTop1(), r.randomKnnTop1());
    }
    if (!config.resultFile().isEmpty()) {
      System.out.println("result written to " + config.resultFile());
    }
    return 0;
  }

  /** A missing dataset that {@code data fetch} can download: the error says the command. */
  static Exception offerFetch(TrainConfig config, DatasetFormatException e) {
    String msg = String.valueOf(e.getMessage());
    boolean missing = msg.endsWith("found no such file") || msg.endsWith("found no such directory");
    return DatasetSources.forDataset(config.dataset())
        .filter(s -> missing)
        .<Exception>map(
            s ->
                new DatasetFormatException(
                    e.file(),
                    -1,
                    "the " + config.dataset() + " files",
                    "none; download them with: relreason data fetch "
                        + s.name()
                        + " --dir "
                        + config.dataDir()))
        .orElse(e);
  }

  private static double nan(Double d) {
    return d == null ? Double.NaN : d;
  }
}

package org.relreason.model.run;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.ResultJson;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;
import org.relreason.model.eval.KnnMonitor;
import org.relreason.model.eval.LayerResult;
import org.relreason.model.eval.LinearConfig;
import org.relreason.model.eval.LinearResult;
import org.relreason.model.eval.OnlineProbe;
import org.relreason.model.eval.Probes;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.method.Methods;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.BlockFeatures;
import org.relreason.model.train.Nd4jInfo;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.RelationalModel;
import org.relreason.model.train.TrainListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code train} job in one process: load the dataset → pre-train with the configured method
 * (relational reasoning, a baseline, or nothing for {@code random}) → drop the head → linear
 * evaluation and kNN monitor on the frozen backbone (and, if asked, on the randomly initialised
 * backbone under the same protocol) → {@link TrainResult}.
 */
public final class TrainJob {
  private static final Logger LOG = LoggerFactory.getLogger(TrainJob.class);

  private TrainJob() {}

  /** Runs the job; writes the result file when the config names one. */
  public static TrainResult run(TrainConfig config, TrainListener listener) throws IOException {
    return run(config, listener, Pretrainer.SINGLE_PROCESS);
  }

  /** Runs the job with the given way of pre-training. */
  public static TrainResult run(TrainConfig config, TrainListener listener, Pretrainer pretrainer)
      throws IOException {
    Path dir = Path.of(config.dataDir());
    Normalization norm = Datasets.normalization(config.dataset());
    ImageSet train = trainingImages(config);
    ImageSet evalTrain =
        config.evalTrainLimit() == config.trainLimit()
            ? train
            : load(config, dir, Split.TRAIN, config.evalTrainLimit());
    ImageSet evalTest = load(config, dir, Split.TEST, config.evalTestLimit());
    LOG.info("pre-training on {}, evaluating on {} / {}", train, evalTrain, evalTest);
    PretrainModel model = Methods.build(config, train);
    Pretrainer.Outcome outcome;
    List<OnlineProbe.Point> probeCurve = null;
    try (OnlineProbe probe = OnlineProbe.of(config, listener)) {
      TrainListener watched = probe == null ? listener : TrainListener.both(listener, probe);
      outcome =
          config.method() == MethodKind.RANDOM
              ? new Pretrainer.Outcome(
                  new PretrainResult(0, 0, 0, 0, null, List.of(), Map.of()), model.paramsVector())
              : pretrainer.pretrain(config, train, norm, watched);
      if (probe != null) {
        probeCurve = probe.finish();
      }
    }
    PretrainResult pre = outcome.result();
    model.setParams(outcome.params());
    Backbone trained = model.backbone();
    BackboneSpec spec =
        new BackboneSpec(
            config.backbone(), config.width(), train.channels(), train.height(), train.width());
    long e0 = System.nanoTime();
    Evaluation learned = evaluate(config, spec, trained, norm, evalTrain, evalTest);
    report(listener, config, "", learned);
    Evaluation random = null;
    if (config.withRandomBaseline()) {
      // the same initial weights the pre-training started from
      Backbone untrained =
          Backbones.buildFast(
              spec, config.representationSize(), RelationalModel.initSeed(config), DataType.FLOAT);
      random = evaluate(config, spec, untrained, norm, evalTrain, evalTest);
      report(listener, config, "random_", random);
    }
    double evalSeconds = (System.nanoTime() - e0) / 1e9;
    PretrainResult.EpochStats lastEpoch =
        pre.history().isEmpty() ? null : pre.history().get(pre.history().size() - 1);
    TrainResult result =
        new TrainResult(
            config.dataset(),
            config.method().id(),
            config.backbone().id(),
            config.epochs(),
            pre.globalStep(),
            pre.seconds(),
            pre.viewsPerSecond(),
            lastEpoch == null ? null : lastEpoch.loss(),
            lastEpoch == null ? null : lastEpoch.positiveAccuracy(),
            lastEpoch == null || Double.isNaN(lastEpoch.negativeAccuracy())
                ? null
                : lastEpoch.negativeAccuracy(),
            learned.linear == null ? null : learned.linear.testTop1(),
            learned.linear == null ? null : learned.linear.trainTop1(),
            learned.knn,
            random == null || random.linear == null ? null : random.linear.testTop1(),
            random == null ? null : random.knn,
            evalSeconds,
            evalTrain.size(),
            evalTest.size(),
            pre.history(),
            pre.phaseSeconds(),
            Nd4jInfo.describe(),
            config.asMap(),
            learned.linear,
            learned.layers,
            random == null ? null : random.layers,
            learned.probes.isEmpty() ? null : learned.probes,
            random == null || random.probes.isEmpty() ? null : random.probes,
            probeCurve);
    if (!config.resultFile().isEmpty()) {
      write(result, Path.of(config.resultFile()));
    }
    return result;
  }

  /** The pre-training images of a run: the training split, its first {@code train-limit} if set. */
  public static ImageSet trainingImages(TrainConfig config) throws IOException {
    return load(config, Path.of(config.dataDir()), Split.TRAIN, config.trainLimit());
  }

  /** A split, or its first {@code limit} images when limit &gt; 0. */
  private static ImageSet load(TrainConfig config, Path dir, Split split, int limit)
      throws IOException {
    return limit > 0
        ? Datasets.load(config.dataset(), dir, split, limit)
        : Datasets.load(config.dataset(), dir, split);
  }

  /**
   * Scores of one backbone.
   *
   * @param linear the probe's evaluation (null when linear-epochs is 0)
   * @param knn kNN-monitor top-1
   * @param layers every probe on each block's pooled output ({@code probe-layers all}), else null
   * @param probes every configured probe on the backbone's features, the first being {@code linear}
   *     (empty when linear-epochs is 0)
   */
  public record Evaluation(
      LinearResult linear, Double knn, List<LayerResult> layers, List<LinearResult> probes) {}

  /** Tells the listener (dashboard, metrics) the scores as soon as they are known. */
  private static void report(
      TrainListener listener, TrainConfig config, String prefix, Evaluation e) {
    if (e.linear != null) {
      listener.onEvaluation(prefix + "linear", config.dataset(), e.linear.testTop1());
    }
    if (e.knn != null) {
      listener.onEvaluation(prefix + "knn", config.dataset(), e.knn);
    }
  }

  /** Linear evaluation and kNN monitor of a backbone under the config's evaluation settings. */
  public static Evaluation evaluate(TrainConfig config, Backbone backbone) throws IOException {
    Path dir = Path.of(config.dataDir());
    Normalization norm = Datasets.normalization(config.dataset());
    ImageSet train = load(config, dir, Split.TRAIN, config.evalTrainLimit());
    ImageSet test = load(config, dir, Split.TEST, config.evalTestLimit());
    BackboneSpec spec =
        new BackboneSpec(
            config.backbone(), config.width(), test.channels(), test.height(), test.width());
    return evaluate(config, spec, backbone, norm, train, test);
  }

  private static Evaluation evaluate(
      TrainConfig config,
      BackboneSpec spec,
      Backbone backbone,
      Normalization norm,
      ImageSet train,
      ImageSet test) {
    FeatureExtractor fx = new FeatureExtractor(norm);
    FeatureSet ftrain = fx.extract(backbone, train);
    FeatureSet ftest = fx.extract(backbone, test);
    List<LinearResult> probes = new ArrayList<>();
    if (config.linearEpochs() > 0) {
      for (ProbeKind p : config.probes()) {
        probes.add(Probes.evaluate(p, linearConfig(config), ftrain, ftest));
      }
    }
    double knn =
        new KnnMonitor(Math.min(config.knnK(), ftrain.n()), KnnMonitor.DEFAULT_TEMPERATURE)
            .top1(ftrain, ftest);
    List<LayerResult> layers = null;
    if (config.linearEpochs() > 0 && config.probeLayers().equals("all")) {
      layers = probeLayers(config, BlockFeatures.of(spec, backbone), fx, train, test);
    }
    return new Evaluation(probes.isEmpty() ? null : probes.get(0), knn, layers, probes);
  }

  /** Every configured probe on each block's pooled output, block by block. */
  static List<LayerResult> probeLayers(
      TrainConfig config,
      BlockFeatures blocks,
      FeatureExtractor fx,
      ImageSet train,
      ImageSet test) {
    List<FeatureSet> trainBlocks = fx.extractBlocks(blocks, train);
    List<FeatureSet> testBlocks = fx.extractBlocks(blocks, test);
    List<LayerResult> out = new ArrayList<>();
    for (int b = 0; b < trainBlocks.size(); b++) {
      for (ProbeKind p : config.probes()) {
        LinearResult r =
            Probes.evaluate(p, linearConfig(config), trainBlocks.get(b), testBlocks.get(b));
        out.add(new LayerResult(b + 1, blocks.names().get(b), trainBlocks.get(b).d(), r));
        LOG.info(
            "{} probe, block {} ({}, {} features): top-1 {} ({} s)",
            p.id(),
            b + 1,
            blocks.names().get(b),
            trainBlocks.get(b).d(),
            r.testTop1(),
            String.format("%.1f", r.seconds()));
      }
    }
    return out;
  }

  /** The linear-evaluation settings of a run: the paper's, with the run's epochs and seed. */
  public static LinearConfig linearConfig(TrainConfig config) {
    return LinearConfig.PAPER.withEpochs(config.linearEpochs()).withSeed(config.seed());
  }

  /** The JSON writer used for results. */
  public static ObjectMapper json() {
    return ResultJson.mapper();
  }

  /** Writes a result as JSON atomically ({@link ResultJson#write}). */
  public static void write(TrainResult result, Path file) throws IOException {
    ResultJson.write(result, file);
  }
}

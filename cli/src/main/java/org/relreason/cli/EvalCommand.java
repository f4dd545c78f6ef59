package org.relreason.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.eval.EvalData;
import org.relreason.model.eval.EvalProtocols;
import org.relreason.model.eval.LayerResult;
import org.relreason.model.eval.LinearConfig;
import org.relreason.model.eval.Protocol;
import org.relreason.model.eval.ProtocolConfig;
import org.relreason.model.eval.ProtocolResult;
import org.relreason.model.method.Methods;
import org.relreason.model.run.TrainJob;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;
import org.relreason.model.train.PretrainModel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code eval}: linear evaluation and kNN monitor of the backbone in a checkpoint; with {@code
 * --protocol P}, one of the paper's protocols ({@link EvalProtocols}) instead.
 */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description =
        "Evaluates the backbone of a checkpoint (linear evaluation and kNN monitor, or the"
            + " protocol given by --protocol).")
final class EvalCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      paramLabel = "FILE",
      description = "a checkpoint-<step>.rrck file")
  Path checkpoint;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "dataset directory (default: the checkpoint's)")
  String dataDir;

  @Option(
      names = "--linear-epochs",
      paramLabel = "N",
      description = "epochs of the linear evaluation (default: the checkpoint's)")
  String linearEpochs;

  @Option(
      names = "--probe",
      paramLabel = "lbfgs|adam|sgd|mlp",
      description =
          "classifier on the frozen features: adam (the paper's linear evaluation, default),"
              + " lbfgs (logistic regression, L2 chosen on a validation split of the training"
              + " set), sgd (momentum, long schedule), mlp (one hidden layer)")
  String probe;

  @Option(
      names = "--probe-layers",
      paramLabel = "last|all",
      description =
          "last = probe the backbone's features (default); all = also each block's pooled output")
  String probeLayers;

  @Option(
      names = "--eval-train-limit",
      paramLabel = "N",
      description = "training images used (0 = all)")
  String evalTrainLimit;

  @Option(names = "--eval-test-limit", paramLabel = "N", description = "test images used (0 = all)")
  String evalTestLimit;

  @Mixin ProtocolOptions protocolOptions;

  @Override
  public Integer call() throws Exception {
    if (protocolOptions.protocol != null) {
      return runProtocol();
    }
    if (!protocolOptions.givenWithoutProtocol().isEmpty()) {
      throw new IllegalArgumentException(
          String.join(", ", protocolOptions.givenWithoutProtocol())
              + ": only valid with --protocol");
    }
    Checkpoint c = CheckpointStore.load(checkpoint);
    Map<String, String> values = new LinkedHashMap<>(c.config());
    put(values, "data-dir", dataDir);
    put(values, "linear-epochs", linearEpochs);
    put(values, "probe", probe);
    put(values, "probe-layers", probeLayers);
    put(values, "eval-train-limit", evalTrainLimit);
    put(values, "eval-test-limit", evalTestLimit);
    TrainConfig config = TrainConfig.of(values);
    ImageSet probe = Datasets.load(config.dataset(), Path.of(config.dataDir()), Split.TEST, 1);
    PretrainModel model = Methods.build(config, probe);
    model.setParams(c.params());
    TrainJob.Evaluation e = TrainJob.evaluate(config, model.backbone());
    System.out.printf(
        "checkpoint %s (step %d): %s top-1 %s, kNN top-1 %.4f%n",
        checkpoint,
        c.globalStep(),
        probeName(config),
        e.linear() == null ? "n/a" : String.format("%.4f", e.linear().testTop1()),
        e.knn());
    if (e.layers() != null) {
      for (LayerResult l : e.layers()) {
        System.out.printf(
            "  block %d (%s, %d features): %s top-1 %.4f%n",
            l.layer(), l.name(), l.featureSize(), probeName(config), l.result().testTop1());
      }
    }
    return 0;
  }

  /** {@code eval --protocol P}: the backbone of the checkpoint through one protocol. */
  private int runProtocol() throws Exception {
    Protocol p = protocolOptions.protocol();
    if (probeLayers != null && !probeLayers.equals("last")) {
      throw new IllegalArgumentException(
          "--probe-layers " + probeLayers + ": only without --protocol (eval's own evaluation)");
    }
    Checkpoint c = CheckpointStore.load(checkpoint);
    Map<String, String> values = new LinkedHashMap<>(c.config());
    put(values, "linear-epochs", linearEpochs);
    put(values, "probe", probe);
    put(values, "eval-train-limit", evalTrainLimit);
    put(values, "eval-test-limit", evalTestLimit);
    String evalDataset = protocolOptions.dataset(p, c.config().get("dataset"));
    try {
      Datasets.normalization(evalDataset);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--dataset: " + e.getMessage(), e);
    }
    // --data-dir is the evaluation dataset's; the pre-training dataset stays where the checkpoint
    // says unless it is the same dataset
    boolean same = evalDataset.equals(c.config().get("dataset"));
    if (same) {
      put(values, "data-dir", dataDir);
    }
    TrainConfig config = TrainConfig.of(values);
    if (config.linearEpochs() < 1) {
      throw new IllegalArgumentException("--linear-epochs must be >= 1 for a protocol");
    }
    ProtocolConfig settings =
        protocolOptions
            .config(
                p,
                LinearConfig.PAPER.withEpochs(config.linearEpochs()).withSeed(config.seed()),
                config.seed(),
                evalDataset)
            .withProbe(config.probe());
    ImageSet probe = Datasets.load(config.dataset(), Path.of(config.dataDir()), Split.TEST, 1);
    PretrainModel model = Methods.build(config, probe);
    model.setParams(c.params());
    Path evalDir = Path.of(same || dataDir == null ? config.dataDir() : dataDir);
    EvalData data =
        EvalData.load(
            config.dataset(),
            EvalData.Geometry.of(probe),
            evalDataset,
            evalDir,
            config.evalTrainLimit(),
            config.evalTestLimit());
    ProtocolResult r = EvalProtocols.run(p, model.backbone(), data, settings);
    System.out.println(summary(checkpoint, c.globalStep(), r));
    if (protocolOptions.resultFile != null) {
      EvalProtocols.write(r, protocolOptions.resultFile);
    }
    return 0;
  }

  /** One line with the protocol's numbers. */
  static String summary(Path checkpoint, long step, ProtocolResult r) {
    StringBuilder b =
        new StringBuilder(
            String.format(
                "checkpoint %s (step %d), protocol %s, %s -> %s (%d train / %d test images):",
                checkpoint,
                step,
                r.protocol(),
                r.pretrainDataset(),
                r.dataset(),
                r.trainImages(),
                r.testImages()));
    if (r.linearTop1() != null) {
      b.append(String.format(" linear top-1 %.4f", r.linearTop1()));
    }
    if (r.fineTuneTop1() != null) {
      b.append(String.format(" fine-tune top-1 %.4f", r.fineTuneTop1()));
    }
    if (r.fractions() != null) {
      for (ProtocolResult.FractionResult f : r.fractions()) {
        String percent =
            java.math.BigDecimal.valueOf(Math.round(f.fraction() * 1e4) / 1e2)
                .stripTrailingZeros()
                .toPlainString();
        b.append(
            String.format(" | %s%% (%d labels): linear %.4f", percent, f.labels(), f.linearTop1()));
        if (f.fineTuneTop1() != null) {
          b.append(String.format(", fine-tune %.4f", f.fineTuneTop1()));
        }
      }
    }
    if (r.precisionAtK() != null) {
      b.append(String.format(" top-%d precision %.4f", r.retrievalK(), r.precisionAtK()));
    }
    if (r.embeddingPurity() != null) {
      b.append(String.format(" t-SNE 10-NN purity %.4f", r.embeddingPurity()));
    }
    if (r.picture() != null) {
      b.append(" picture ").append(r.picture());
    }
    b.append(String.format(" (%.1f s)", r.seconds()));
    return b.toString();
  }

  /** "linear" for the paper's probe, else e.g. "lbfgs probe". */
  static String probeName(TrainConfig config) {
    return config.probe() == org.relreason.model.config.ProbeKind.ADAM
        ? "linear"
        : config.probe().id() + " probe";
  }

  private static void put(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}

package org.relreason.model.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.eval.EvalData;
import org.relreason.model.eval.EvalProtocols;
import org.relreason.model.eval.ProtocolConfig;
import org.relreason.model.eval.ProtocolResult;
import org.relreason.model.method.Methods;
import org.relreason.model.run.TrainResult;
import org.relreason.model.train.CheckpointStore;
import org.relreason.model.train.PretrainModel;

/**
 * One of {@code eval --protocol}'s protocols ({@link EvalProtocols}) as a protocol of the grid, on
 * the cell's own dataset: fine-tuning, label fractions, retrieval and the t-SNE embedding. The
 * backbone is the cell's newest checkpoint (the trainer always saves the last step), or for a
 * {@code random} cell the initial weights {@link Methods#build} gives for the cell's seed. The
 * protocol runs with the paper's settings ({@link ProtocolConfig#defaults}) and the cell's {@code
 * linear-epochs}, evaluation limits and seed; a picture, if the protocol draws one, goes into the
 * cell's directory. Transfer and grain evaluate on a second dataset, which a grid cell does not
 * name, so they are not offered here (run them with {@code eval --protocol}).
 */
final class EvalProtocolCell implements GridProtocol {
  private final org.relreason.model.eval.Protocol protocol;

  EvalProtocolCell(org.relreason.model.eval.Protocol protocol) {
    this.protocol = protocol;
  }

  @Override
  public String id() {
    return protocol.id();
  }

  @Override
  public Map<String, Double> evaluate(TrainConfig config, TrainResult trained, Path cellDir)
      throws IOException {
    ImageSet probe = Datasets.load(config.dataset(), Path.of(config.dataDir()), Split.TEST, 1);
    PretrainModel model = Methods.build(config, probe);
    if (config.method() != MethodKind.RANDOM) {
      Path dir = Path.of(config.checkpointDir());
      Path newest =
          new CheckpointStore(dir, Integer.MAX_VALUE)
              .latest()
              .orElseThrow(
                  () ->
                      new IOException(
                          "protocol '" + id() + "': no checkpoint in " + dir + " to evaluate"));
      model.setParams(CheckpointStore.load(newest).params());
    }
    EvalData data =
        EvalData.load(
            config.dataset(),
            EvalData.Geometry.of(probe),
            config.dataset(),
            Path.of(config.dataDir()),
            config.evalTrainLimit(),
            config.evalTestLimit());
    ProtocolConfig defaults = ProtocolConfig.defaults(config.seed());
    ProtocolConfig settings =
        new ProtocolConfig(
                defaults.linear().withEpochs(config.linearEpochs()),
                defaults.fineTune(),
                defaults.fractions(),
                defaults.fineTuneFractions(),
                defaults.retrievalK(),
                defaults.retrievalQueries(),
                defaults.pictureQueries(),
                defaults.embeddingPoints(),
                defaults.tsne(),
                null)
            .withPicture(drawsPicture() ? cellDir.resolve(id() + ".png") : null)
            .withProbe(config.probe());
    Files.createDirectories(cellDir);
    return metrics(EvalProtocols.run(protocol, model.backbone(), data, settings));
  }

  private boolean drawsPicture() {
    return protocol == org.relreason.model.eval.Protocol.RETRIEVAL
        || protocol == org.relreason.model.eval.Protocol.EMBEDDING;
  }

  /** The result's scores under names unique across the grid's protocols. */
  static Map<String, Double> metrics(ProtocolResult r) {
    Map<String, Double> m = new LinkedHashMap<>();
    if (r.fineTuneTop1() != null) {
      m.put("fine_tune_top1", r.fineTuneTop1());
    }
    if (r.fractions() != null) {
      for (ProtocolResult.FractionResult f : r.fractions()) {
        String pct = String.format(Locale.ROOT, "%.0f", f.fraction() * 100);
        m.put("labels_" + pct + "pct_linear_top1", f.linearTop1());
        if (f.fineTuneTop1() != null) {
          m.put("labels_" + pct + "pct_fine_tune_top1", f.fineTuneTop1());
        }
      }
    }
    if (r.precisionAtK() != null) {
      m.put("retrieval_precision_at_" + r.retrievalK(), r.precisionAtK());
    }
    if (r.embeddingPurity() != null) {
      m.put("embedding_knn_purity", r.embeddingPurity());
    }
    return m;
  }
}

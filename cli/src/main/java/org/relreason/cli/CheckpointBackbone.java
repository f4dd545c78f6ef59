package org.relreason.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;
import org.relreason.model.method.Methods;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;
import org.relreason.model.train.PretrainModel;

/**
 * The backbone of a checkpoint, built as {@code eval} builds it (the input geometry read from one
 * test image of the checkpoint's dataset), for {@code export} and {@code embed}.
 *
 * @param checkpoint the file it came from
 * @param step the checkpoint's global step
 * @param config the checkpoint's configuration (data-dir possibly overridden)
 * @param backbone the backbone with the checkpoint's parameters
 * @param spec architecture, width and input geometry
 * @param normalization the per-channel constants its inputs take
 */
record CheckpointBackbone(
    Path checkpoint,
    long step,
    TrainConfig config,
    Backbone backbone,
    BackboneSpec spec,
    Normalization normalization) {

  /** Loads a checkpoint; {@code dataDir} (null = the checkpoint's) is where its dataset is. */
  static CheckpointBackbone load(Path checkpoint, String dataDir) throws IOException {
    Checkpoint c = CheckpointStore.load(checkpoint);
    Map<String, String> values = new LinkedHashMap<>(c.config());
    if (dataDir != null) {
      values.put("data-dir", dataDir);
    }
    TrainConfig config = TrainConfig.of(values);
    ImageSet probe = Datasets.load(config.dataset(), Path.of(config.dataDir()), Split.TEST, 1);
    PretrainModel model = Methods.build(config, probe);
    model.setParams(c.params());
    BackboneSpec spec =
        new BackboneSpec(
            config.backbone(), config.width(), probe.channels(), probe.height(), probe.width());
    return new CheckpointBackbone(
        checkpoint,
        c.globalStep(),
        config,
        model.backbone(),
        spec,
        Datasets.normalization(config.dataset()));
  }

  /** What an exported file records about its origin and its inputs. */
  Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("producer", "relreason");
    m.put("backbone", spec.kind().id());
    m.put("width", Double.toString(spec.width()));
    m.put("representation_size", Integer.toString(config.representationSize()));
    m.put("method", config.method().id());
    m.put("dataset", config.dataset());
    m.put("checkpoint", checkpoint.getFileName().toString());
    m.put("checkpoint_step", Long.toString(step));
    m.put("input_shape", "N," + spec.channels() + "," + spec.height() + "," + spec.widthPx());
    m.put("input_layout", "NCHW float32, pixel/255 normalised per channel: (x - mean) / std");
    m.put("normalization_mean", channels(normalization, true));
    m.put("normalization_std", channels(normalization, false));
    m.put("feature_size", Integer.toString(backbone.featureSize()));
    return m;
  }

  private static String channels(Normalization n, boolean mean) {
    StringBuilder b = new StringBuilder();
    for (int c = 0; c < n.channels(); c++) {
      b.append(c == 0 ? "" : ",").append(mean ? n.mean()[c] : n.std()[c]);
    }
    return b.toString();
  }
}

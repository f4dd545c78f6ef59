package org.relreason.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.method.Methods;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.TrainJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code eval}: linear evaluation and kNN monitor of the backbone in a checkpoint. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluates the backbone of a checkpoint (linear evaluation and kNN monitor).")
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
      names = "--eval-train-limit",
      paramLabel = "N",
      description = "training images used (0 = all)")
  String evalTrainLimit;

  @Option(names = "--eval-test-limit", paramLabel = "N", description = "test images used (0 = all)")
  String evalTestLimit;

  @Override
  public Integer call() throws Exception {
    Checkpoint c = CheckpointStore.load(checkpoint);
    Map<String, String> values = new LinkedHashMap<>(c.config());
    put(values, "data-dir", dataDir);
    put(values, "linear-epochs", linearEpochs);
    put(values, "eval-train-limit", evalTrainLimit);
    put(values, "eval-test-limit", evalTestLimit);
    TrainConfig config = TrainConfig.of(values);
    ImageSet probe = Datasets.load(config.dataset(), Path.of(config.dataDir()), Split.TEST, 1);
    PretrainModel model = Methods.build(config, probe);
    model.setParams(c.params());
    TrainJob.Evaluation e = TrainJob.evaluate(config, model.backbone());
    System.out.printf(
        "checkpoint %s (step %d): linear top-1 %s, kNN top-1 %.4f%n",
        checkpoint,
        c.globalStep(),
        e.linear() == null ? "n/a" : String.format("%.4f", e.linear().testTop1()),
        e.knn());
    return 0;
  }

  private static void put(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }
}

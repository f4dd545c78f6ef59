package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.eval.EvalData;
import org.relreason.model.eval.EvalProtocols;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.eval.Protocol;
import org.relreason.model.eval.ProtocolConfig;
import org.relreason.model.method.Methods;
import org.relreason.model.train.CheckpointStore;
import org.relreason.model.train.PretrainModel;

/**
 * The grid runs {@code eval --protocol}'s protocols on the backbone each cell trained: the
 * retrieval score of a trained cell is the one of its last checkpoint, a random cell's the one of
 * its initial weights (real Fashion-MNIST, a few images, seconds).
 */
class EvalProtocolCellTest {
  private static final String FMNIST =
      System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist");

  @Test
  void retrievalAndFractionsRunOnTheCellsOwnBackbone(@TempDir Path tmp) throws Exception {
    assertThat(Files.isDirectory(Path.of(FMNIST))).as("Fashion-MNIST in " + FMNIST).isTrue();
    Map<String, String> s = new LinkedHashMap<>();
    s.put("data-dir", FMNIST);
    s.put("max-steps", "3");
    s.put("m", "8");
    s.put("k", "2");
    s.put("width", "0.5");
    s.put("train-limit", "64");
    s.put("eval-train-limit", "200");
    s.put("eval-test-limit", "60");
    s.put("linear-epochs", "2");
    s.put("knn-k", "10");
    GridSpec grid =
        GridSpec.of(
            Map.of(
                "methods", "relational,random",
                "seeds", "5",
                "protocols", "linear,retrieval,fractions"),
            s);
    BenchmarkReport report =
        new BenchmarkRunner(
                grid,
                tmp,
                CellRunner.SINGLE_PROCESS,
                new BenchmarkListener() {},
                "cmd",
                new PaperReference("none", "", List.of()))
            .run();
    assertThat(report.failed()).isZero();
    for (CellResult cell : report.cells()) {
      assertThat(cell.metrics())
          .containsKeys(
              GridProtocols.LINEAR_TOP1,
              "retrieval_precision_at_10",
              "labels_1pct_linear_top1",
              "labels_100pct_linear_top1");
      assertThat(cell.metrics().values()).allSatisfy(v -> assertThat(v).isBetween(0.0, 1.0));
    }
    // the retrieval score equals the protocol run by hand on the backbone the cell should use
    for (CellResult cell : report.cells()) {
      Path cellDir = tmp.resolve("cells").resolve(cell.cell());
      TrainConfig config = TrainConfig.of(TrainConfig.readFile(cellDir.resolve("config.json")));
      ImageSet probe = Datasets.load(config.dataset(), Path.of(FMNIST), Split.TEST, 1);
      PretrainModel model = Methods.build(config, probe);
      if (!config.method().id().equals("random")) {
        Path newest =
            new CheckpointStore(Path.of(config.checkpointDir()), Integer.MAX_VALUE)
                .latest()
                .orElseThrow();
        assertThat(newest.getFileName().toString()).contains("-3.");
        model.setParams(CheckpointStore.load(newest).params());
      }
      EvalData data =
          EvalData.load(
              config.dataset(),
              EvalData.Geometry.of(probe),
              config.dataset(),
              Path.of(FMNIST),
              200,
              60);
      double expected =
          EvalProtocols.run(Protocol.RETRIEVAL, model.backbone(), data, ProtocolConfig.defaults(5))
              .precisionAtK();
      assertThat(cell.metrics().get("retrieval_precision_at_10")).isEqualTo(expected);
      assertThat(cellDir.resolve("retrieval.png")).exists();
    }
  }
}

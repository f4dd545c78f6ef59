package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.run.TrainResult;
import org.relreason.model.train.TrainListener;

class BenchmarkRunnerTest {
  private static final PaperReference NO_PAPER = new PaperReference("none", "", List.of());

  /** A trainer stand-in: records every configuration it is asked to run. */
  private static final class Recording implements CellRunner {
    final List<TrainConfig> calls = new ArrayList<>();
    MethodKind failing;
    long failingSeed;

    @Override
    public TrainResult run(TrainConfig c, TrainListener listener) {
      calls.add(c);
      if (c.method() == failing && c.seed() == failingSeed) {
        throw new IllegalStateException("simulated failure of " + c.method().id());
      }
      double linear = 0.5 + 0.01 * c.seed() + (c.method() == MethodKind.SUPERVISED ? 0.2 : 0);
      listener.onEvaluation("linear", c.dataset(), linear);
      return result(c, linear, linear - 0.05);
    }
  }

  static TrainResult result(TrainConfig c, double linear, double knn) {
    return new TrainResult(
        c.dataset(),
        c.method().id(),
        c.backbone().id(),
        c.epochs(),
        c.maxSteps(),
        1.0,
        100.0,
        null,
        null,
        null,
        linear,
        linear,
        knn,
        null,
        null,
        0.5,
        100,
        50,
        List.of(),
        Map.of(),
        Map.of(),
        c.asMap());
  }

  private static GridSpec grid(String steps) {
    return GridSpec.of(
        Map.of("methods", "random,supervised", "seeds", "1,2"), Map.of("max-steps", steps));
  }

  @Test
  void aGridRunTwiceRunsEachCellOnce(@TempDir Path out) throws Exception {
    Recording trainer = new Recording();
    BenchmarkReport first =
        new BenchmarkRunner(grid("5"), out, trainer, new BenchmarkListener() {}, "cmd", NO_PAPER)
            .run();
    assertThat(trainer.calls).hasSize(4);
    assertThat(first.computed()).isEqualTo(4);
    long stamp =
        Files.getLastModifiedTime(out.resolve("cells/random-conv4-fashion-mnist-s1/result.json"))
            .toMillis();

    List<CellResult> seen = new ArrayList<>();
    BenchmarkReport second =
        new BenchmarkRunner(
                grid("5"),
                out,
                trainer,
                new BenchmarkListener() {
                  @Override
                  public void cellFinished(Cell cell, CellResult r, int index, int total) {
                    seen.add(r);
                  }
                },
                "cmd",
                NO_PAPER)
            .run();
    assertThat(trainer.calls).hasSize(4); // nothing recomputed
    assertThat(second.reused()).isEqualTo(4);
    assertThat(second.computed()).isZero();
    assertThat(seen).allMatch(CellResult::reused);
    assertThat(second.aggregates()).isEqualTo(first.aggregates());
    assertThat(
            Files.getLastModifiedTime(
                    out.resolve("cells/random-conv4-fashion-mnist-s1/result.json"))
                .toMillis())
        .isEqualTo(stamp);
    // every cell's configuration is kept beside its result, its checkpoints in its own directory
    JsonNode cfg =
        new ObjectMapper()
            .readTree(out.resolve("cells/supervised-conv4-fashion-mnist-s2/config.json").toFile());
    assertThat(cfg.get("method").asText()).isEqualTo("supervised");
    assertThat(cfg.get("seed").asText()).isEqualTo("2");
    assertThat(cfg.get("checkpoint-dir").asText())
        .isEqualTo(out.resolve("cells/supervised-conv4-fashion-mnist-s2/checkpoints").toString());
  }

  @Test
  void aFailingCellIsRecordedAndTheGridGoesOnThenItIsRetried(@TempDir Path out) throws Exception {
    Recording trainer = new Recording();
    trainer.failing = MethodKind.SUPERVISED;
    trainer.failingSeed = 1;
    BenchmarkReport r =
        new BenchmarkRunner(grid("5"), out, trainer, new BenchmarkListener() {}, "cmd", NO_PAPER)
            .run();
    assertThat(trainer.calls).hasSize(4); // the cells after the failure still ran
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.cells())
        .extracting(CellResult::status)
        .containsExactly("done", "failed", "done", "done");
    CellResult bad = r.cells().get(1);
    assertThat(bad.error()).isEqualTo("IllegalStateException: simulated failure of supervised");
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("cells").get(1).get("error").asText()).contains("simulated failure");
    assertThat(json.get("cells")).hasSize(4);
    assertThat(Files.readString(out.resolve("results.md")))
        .contains("| supervised | 72.00 (n=1, 1 failed) | – |");

    trainer.failing = null;
    BenchmarkReport again =
        new BenchmarkRunner(grid("5"), out, trainer, new BenchmarkListener() {}, "cmd", NO_PAPER)
            .run();
    assertThat(trainer.calls).hasSize(5); // only the failed cell ran again
    assertThat(trainer.calls.get(4).method()).isEqualTo(MethodKind.SUPERVISED);
    assertThat(trainer.calls.get(4).seed()).isEqualTo(1);
    assertThat(again.failed()).isZero();
    assertThat(again.reused()).isEqualTo(3);
    // supervised: 0.71 and 0.72 → mean 0.715, std sqrt((0.005² · 2) / 1) = 0.00707
    Aggregates.Aggregate sup =
        again.aggregates().stream()
            .filter(a -> a.method().equals("supervised") && a.metric().equals("linear_top1"))
            .findFirst()
            .orElseThrow();
    assertThat(sup.n()).isEqualTo(2);
    assertThat(sup.mean()).isCloseTo(0.715, org.assertj.core.data.Offset.offset(1e-12));
    assertThat(sup.std()).isCloseTo(0.0070710678, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aCellSavedWithAnotherConfigurationIsRefusedBeforeAnyCellRuns(@TempDir Path out)
      throws Exception {
    Recording trainer = new Recording();
    new BenchmarkRunner(grid("5"), out, trainer, new BenchmarkListener() {}, "cmd", NO_PAPER).run();
    assertThatThrownBy(
            () ->
                new BenchmarkRunner(
                        grid("6"), out, trainer, new BenchmarkListener() {}, "cmd", NO_PAPER)
                    .run())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("cell random-conv4-fashion-mnist-s1")
        .hasMessageContaining("'max-steps' saved 5, requested 6")
        .hasMessageContaining("delete");
    assertThat(trainer.calls).hasSize(4);
  }

  @Test
  void aKeyMissingFromASavedCellCountsAsItsDefault() {
    Map<String, String> wanted = TrainConfig.defaults().asMap();
    Map<String, String> saved = new java.util.TreeMap<>(wanted);
    saved.remove("probe");
    assertThat(BenchmarkRunner.differences(saved, wanted)).isEmpty();
    Map<String, String> lbfgs = new java.util.TreeMap<>(wanted);
    lbfgs.put("probe", "lbfgs");
    assertThat(BenchmarkRunner.differences(saved, lbfgs))
        .containsExactly("'probe' saved adam, requested lbfgs");
  }
}

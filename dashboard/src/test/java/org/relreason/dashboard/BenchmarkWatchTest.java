package org.relreason.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.benchmark.BenchmarkRunner;
import org.relreason.model.benchmark.CellRunner;
import org.relreason.model.benchmark.GridSpec;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.run.TrainResult;
import org.relreason.observe.DashboardAccess;

/** A benchmark's evaluations reach its dashboard's evaluation table, one row per cell. */
class BenchmarkWatchTest {
  private static final PaperReference NO_PAPER = new PaperReference("none", "", List.of());

  /** Reports linear and kNN scores as TrainJob does, then returns them. */
  private static final CellRunner FAKE =
      (c, listener) -> {
        double linear = 0.5 + 0.01 * c.seed();
        listener.onEvaluation("linear", c.dataset(), linear);
        listener.onEvaluation("knn", c.dataset(), linear - 0.1);
        return new TrainResult(
            c.dataset(),
            c.method().id(),
            c.backbone().id(),
            1,
            3,
            1,
            1,
            null,
            null,
            null,
            linear,
            linear,
            linear - 0.1,
            null,
            null,
            0,
            10,
            10,
            List.of(),
            Map.of(),
            Map.of(),
            c.asMap());
      };

  private static Map<String, Double> evals(BenchmarkWatch w) throws Exception {
    var r = TinyRuns.get(w.url() + "api/state");
    assertThat(r.statusCode()).isEqualTo(200);
    JsonArray evals = new JsonObject(r.body()).getJsonArray("evals");
    Map<String, Double> m = new HashMap<>();
    for (int i = 0; i < evals.size(); i++) {
      JsonObject e = evals.getJsonObject(i);
      assertThat(e.getString("dataset")).isEqualTo("fashion-mnist");
      m.put(e.getString("protocol"), e.getDouble("top1"));
    }
    return m;
  }

  @Test
  void everyCellsScoresAppearAsTheyArriveAndFromDiskOnARerun(@TempDir Path out) throws Exception {
    GridSpec grid = GridSpec.of(Map.of("methods", "random,relational", "seeds", "1,2"), Map.of());
    Map<String, Double> expected =
        Map.of(
            "linear random-conv4-fashion-mnist-s1", 0.51,
            "knn random-conv4-fashion-mnist-s1", 0.41,
            "linear relational-conv4-fashion-mnist-s2", 0.52,
            "knn relational-conv4-fashion-mnist-s2", 0.42);
    for (int run = 0; run < 2; run++) {
      try (BenchmarkWatch w =
          BenchmarkWatch.start(
              DashboardAccess.ephemeral(), Map.of("methods", "random"), "fashion-mnist", 4)) {
        assertThat(evals(w)).isEmpty();
        assertThat(TinyRuns.get(w.url() + "health/ready").statusCode()).isEqualTo(200);
        new BenchmarkRunner(grid, out, FAKE, w, "cmd", NO_PAPER).run();
        Map<String, Double> seen = evals(w);
        assertThat(seen).hasSize(8); // 4 cells × (linear, knn); the second run reads them from disk
        expected.forEach(
            (k, v) ->
                assertThat(seen.get(k))
                    .as(k)
                    .isCloseTo(v, org.assertj.core.data.Offset.offset(1e-12)));
        assertThat(TinyRuns.get(w.url() + "health/ready").statusCode()).isEqualTo(503); // done
      }
    }
  }
}

package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relreason.model.eval.PaperReference;

class ResultsTableTest {

  @Test
  void aSmallResultsSetGivesExactlyThisMarkdown() {
    List<CellResult> cells =
        List.of(
            AggregatesTest.done("random", 1, 0.6, 0.65),
            AggregatesTest.done("relational", 1, 0.70, 0.64),
            AggregatesTest.failed("random", 2),
            AggregatesTest.done("relational", 2, 0.72, 0.62).asReused());
    PaperReference paper =
        new PaperReference(
            "Paper, Table 1",
            "",
            List.of(
                new PaperReference.Entry("fashion-mnist", "conv4", "relational_reasoning", 0.9)));
    List<Cell.Group> groups =
        List.of(
            new Cell.Group("random", "conv4", "fashion-mnist"),
            new Cell.Group("relational", "conv4", "fashion-mnist"));
    Map<String, Object> grid = new LinkedHashMap<>();
    grid.put("methods", List.of("random", "relational"));
    grid.put("backbones", List.of("conv4"));
    grid.put("datasets", List.of("fashion-mnist"));
    grid.put("seeds", List.of(1L, 2L));
    grid.put("protocols", List.of("linear"));
    grid.put("settings", Map.of("max-steps", "200", "linear-epochs", "40"));
    BenchmarkReport r =
        new BenchmarkReport(
            "relreason benchmark --methods random,relational --seeds 1,2",
            "2026-11-30T04:00:00Z",
            61.25,
            true,
            3,
            1,
            1,
            grid,
            "Paper, Table 1",
            cells,
            Aggregates.of(
                groups, cells, List.of(GridProtocols.LINEAR_TOP1, GridProtocols.KNN_TOP1), paper));
    assertThat(ResultsTable.markdown(r))
        .isEqualTo(
            """
            # Benchmark results

            - command: `relreason benchmark --methods random,relational --seeds 1,2`
            - started 2026-11-30T04:00:00Z; total time 61.3 s (this invocation: 3 cells computed, 1 reused, 1 failed)
            - grid: methods random, relational; backbones conv4; datasets fashion-mnist; seeds 1, 2; protocols linear
            - shared settings: linear-epochs=40, max-steps=200
            - each entry: mean ± sample standard deviation (n − 1) over the seeds that finished (n), in percent; paper: Paper, Table 1 (– where it has no number for that cell)

            ## Linear evaluation, top-1 (%)

            | method | fashion-mnist, conv4 | paper |
            | --- | --- | --- |
            | random | 60.00 (n=1, 1 failed) | – |
            | relational | 71.00 ± 1.41 (n=2) | 90.00 |

            ## kNN monitor (k = knn-k, cosine), top-1 (%)

            | method | fashion-mnist, conv4 |
            | --- | --- |
            | random | 65.00 (n=1, 1 failed) |
            | relational | 63.00 ± 1.41 (n=2) |

            ## Cells

            | cell | status | linear_top1 | knn_top1 | steps | pre-training s | evaluation s | cell s | note |
            | --- | --- | --- | --- | --- | --- | --- | --- | --- |
            | random-conv4-fashion-mnist-s1 | done | 60.00 | 65.00 | 200 | 10.0 | 2.0 | 12.5 |  |
            | relational-conv4-fashion-mnist-s1 | done | 70.00 | 64.00 | 200 | 10.0 | 2.0 | 12.5 |  |
            | random-conv4-fashion-mnist-s2 | failed | – | – | – | – | – | 0.5 | IllegalArgumentException: boom |
            | relational-conv4-fashion-mnist-s2 | done | 72.00 | 62.00 | 200 | 10.0 | 2.0 | 12.5 | reused (finished 2026-11-30T04:00:00Z) |
            """);
  }

  @Test
  void aGroupWhoseSeedsAllFailedSaysSo() {
    Aggregates.Aggregate a =
        new Aggregates.Aggregate(
            "simclr", "conv4", "fashion-mnist", "linear_top1", 0, 2, null, null, List.of(), null);
    assertThat(ResultsTable.entry(a)).isEqualTo("failed (2)");
  }
}

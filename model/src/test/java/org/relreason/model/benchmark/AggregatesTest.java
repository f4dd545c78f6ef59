package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relreason.model.eval.PaperReference;

class AggregatesTest {
  static CellResult done(String method, long seed, double linear, double knn) {
    return new CellResult(
        method + "-conv4-fashion-mnist-s" + seed,
        method,
        "conv4",
        "fashion-mnist",
        seed,
        CellResult.DONE,
        null,
        Map.of(GridProtocols.LINEAR_TOP1, linear, GridProtocols.KNN_TOP1, knn),
        200L,
        10.0,
        2.0,
        12.5,
        "2026-11-30T04:00:00Z",
        false);
  }

  static CellResult failed(String method, long seed) {
    return new CellResult(
        method + "-conv4-fashion-mnist-s" + seed,
        method,
        "conv4",
        "fashion-mnist",
        seed,
        CellResult.FAILED,
        "IllegalArgumentException: boom",
        Map.of(),
        null,
        null,
        null,
        0.5,
        "2026-11-30T04:00:00Z",
        false);
  }

  private static Cell.Group group(String method) {
    return new Cell.Group(method, "conv4", "fashion-mnist");
  }

  @Test
  void meanAndSampleStdOverSeedsByHand() {
    // linear 0.70, 0.72, 0.75: mean 2.17 / 3 = 0.723333…; deviations −0.023333, −0.003333,
    // +0.026667; squares 5.4444e-4 + 1.1111e-5 + 7.1111e-4 = 1.266667e-3; / (3 − 1) = 6.333333e-4;
    // sqrt = 0.0251661
    List<CellResult> cells =
        List.of(
            done("relational", 3, 0.75, 0.60),
            done("relational", 1, 0.70, 0.64),
            done("relational", 2, 0.72, 0.62),
            failed("random", 1),
            done("random", 2, 0.60, 0.66));
    List<Aggregates.Aggregate> a =
        Aggregates.of(
            List.of(group("relational"), group("random"), group("simclr")),
            cells,
            List.of(GridProtocols.LINEAR_TOP1, GridProtocols.KNN_TOP1),
            null);
    assertThat(a).hasSize(6);
    Aggregates.Aggregate rel = a.get(0);
    assertThat(rel.metric()).isEqualTo(GridProtocols.LINEAR_TOP1);
    assertThat(rel.n()).isEqualTo(3);
    assertThat(rel.failed()).isZero();
    assertThat(rel.values()).containsExactly(0.70, 0.72, 0.75); // by seed
    assertThat(rel.mean()).isCloseTo(0.7233333333, within(1e-9));
    assertThat(rel.std()).isCloseTo(0.0251661148, within(1e-9));
    // kNN 0.64, 0.62, 0.60: mean 0.62, deviations ±0.02 and 0: sqrt(8e-4 / 2) = 0.02
    assertThat(a.get(1).mean()).isCloseTo(0.62, within(1e-12));
    assertThat(a.get(1).std()).isCloseTo(0.02, within(1e-12));
    Aggregates.Aggregate random = a.get(2);
    assertThat(random.n()).isEqualTo(1);
    assertThat(random.failed()).isEqualTo(1);
    assertThat(random.mean()).isEqualTo(0.60);
    assertThat(random.std()).isNull(); // one seed: no spread
    Aggregates.Aggregate none = a.get(4);
    assertThat(none.method()).isEqualTo("simclr");
    assertThat(none.n()).isZero();
    assertThat(none.mean()).isNull();
  }

  @Test
  void thePaperNumberIsTakenOnlyWhereTheReferenceHasIt() {
    PaperReference paper =
        new PaperReference(
            "test",
            "",
            List.of(
                new PaperReference.Entry("fashion-mnist", "conv4", "relational_reasoning", 0.9),
                new PaperReference.Entry("fashion-mnist", "resnet32", "supervised", 0.95)));
    List<Aggregates.Aggregate> a =
        Aggregates.of(
            List.of(group("relational"), group("supervised")),
            List.of(done("relational", 1, 0.7, 0.6), done("supervised", 1, 0.8, 0.7)),
            List.of(GridProtocols.LINEAR_TOP1, GridProtocols.KNN_TOP1),
            paper);
    assertThat(a.get(0).paper()).isEqualTo(0.9); // relational ↔ the paper's row name
    assertThat(a.get(1).paper()).isNull(); // kNN: the paper's table is linear evaluation only
    assertThat(a.get(2).paper()).isNull(); // supervised has a number only for another backbone
  }
}

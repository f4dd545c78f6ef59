package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.eval.LayerResult;
import org.relreason.model.eval.LinearResult;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.run.TrainResult;

/**
 * The grid axes of the representation study: widths make cells, probes and layers become metrics of
 * the linear protocol, and the two figures are drawn from them.
 */
class RepresentationGridTest {
  private static final PaperReference NO_PAPER = new PaperReference("none", "", List.of());

  private static GridSpec grid() {
    return GridSpec.of(
        Map.of(
            "methods", "random,relational",
            "seeds", "1,2",
            "widths", "1,2,4",
            "probes", "lbfgs,adam",
            "layers", "all"),
        Map.of("max-steps", "1"));
  }

  /** A stand-in trainer whose scores grow with the width and the block, lbfgs above adam. */
  private static final class Fake implements CellRunner {
    final List<TrainConfig> calls = new ArrayList<>();

    @Override
    public TrainResult run(TrainConfig c, org.relreason.model.train.TrainListener listener) {
      calls.add(c);
      double base =
          (c.method() == MethodKind.RANDOM ? 0.5 : 0.7) + 0.02 * c.width() + 0.001 * c.seed();
      List<LinearResult> probes = new ArrayList<>();
      List<LayerResult> layers = new ArrayList<>();
      for (ProbeKind p : c.probes()) {
        double top1 = base + (p == ProbeKind.LBFGS ? 0.01 : 0);
        probes.add(new LinearResult(top1, top1, 0.1, 1, 0.5, p));
        for (int b = 1; b <= 4; b++) {
          double t = top1 - 0.05 * (4 - b);
          layers.add(
              new LayerResult(
                  b, "block" + b + "_relu", 8 * b, new LinearResult(t, t, 0.1, 1, 0.1, p)));
        }
      }
      TrainResult plain = BenchmarkRunnerTest.result(c, probes.get(0).testTop1(), base - 0.1);
      return new TrainResult(
          plain.dataset(),
          plain.method(),
          plain.backbone(),
          plain.epochs(),
          plain.steps(),
          plain.trainSeconds(),
          plain.viewsPerSecond(),
          null,
          null,
          null,
          plain.linearTop1(),
          plain.linearTrainTop1(),
          plain.knnTop1(),
          null,
          null,
          plain.evalSeconds(),
          plain.evalTrainImages(),
          plain.evalTestImages(),
          plain.history(),
          plain.phaseSeconds(),
          plain.backend(),
          plain.config(),
          probes.get(0),
          layers,
          null,
          probes,
          null,
          null);
    }
  }

  @Test
  void widthsAreCellsAndProbesAndLayersAreMetricsWithTwoFigures(@TempDir Path out)
      throws Exception {
    Fake fake = new Fake();

    BenchmarkReport report =
        new BenchmarkRunner(grid(), out, fake, new BenchmarkListener() {}, "cmd", NO_PAPER).run();

    assertThat(fake.calls).hasSize(2 * 2 * 3);
    assertThat(fake.calls).extracting(TrainConfig::width).containsOnly(1.0, 2.0, 4.0);
    assertThat(fake.calls)
        .allMatch(c -> c.probes().equals(List.of(ProbeKind.LBFGS, ProbeKind.ADAM)));
    assertThat(fake.calls).allMatch(c -> c.probeLayers().equals("all"));
    assertThat(out.resolve("cells/relational-conv4-w2-fashion-mnist-s1/result.json")).exists();
    CellResult wide =
        report.cells().stream()
            .filter(r -> r.cell().equals("relational-conv4-w4-fashion-mnist-s2"))
            .findFirst()
            .orElseThrow();
    assertThat(wide.backbone()).isEqualTo("conv4 x4");
    assertThat(wide.metrics().get("lbfgs_top1"))
        .isCloseTo(0.7 + 0.08 + 0.002 + 0.01, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(wide.metrics().get("adam_top1"))
        .isCloseTo(0.782, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(wide.metrics().get("adam_layer1_top1"))
        .isCloseTo(0.782 - 0.15, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(wide.metrics()).containsKeys("lbfgs_layer4_top1", "linear_top1", "knn_top1");
    // the table groups by width: one column per backbone and width
    assertThat(java.nio.file.Files.readString(out.resolve("results.md")))
        .contains("conv4 x1")
        .contains("conv4 x4");

    BufferedImage width = ImageIO.read(out.resolve("accuracy-vs-width.png").toFile());
    assertThat(width.getWidth()).isEqualTo(2 * BenchmarkFigures.PANEL_WIDTH);
    assertThat(width.getHeight()).isEqualTo(BenchmarkFigures.PANEL_HEIGHT);
    BufferedImage layers = ImageIO.read(out.resolve("accuracy-per-layer.png").toFile());
    assertThat(layers.getWidth()).isEqualTo(BenchmarkFigures.PANEL_WIDTH);
    assertThat(layers.getHeight()).isEqualTo(2 * BenchmarkFigures.PANEL_HEIGHT);
  }

  @Test
  void theFiguresPlotTheMeanOverSeeds() {
    GridSpec spec = grid();
    List<Cell> cells = spec.cells();
    List<CellResult> results = new ArrayList<>();
    for (Cell c : cells) {
      double v = 0.5 + 0.1 * c.width() + (c.seed() == 1 ? 0.01 : -0.01);
      results.add(
          new CellResult(
              c.name(),
              c.method().id(),
              c.backboneLabel(),
              c.dataset(),
              c.seed(),
              CellResult.DONE,
              null,
              Map.of("lbfgs_top1", v),
              1L,
              1.0,
              1.0,
              1.0,
              "t",
              false));
    }

    var series =
        BenchmarkFigures.series(
            cells, results, c -> c.method().id(), (c, m) -> Map.of(c.width(), m.get("lbfgs_top1")));

    assertThat(series.keySet()).containsExactly("random", "relational");
    var relational = series.get("relational");
    assertThat(relational.keySet()).containsExactly(1.0, 2.0, 4.0);
    assertThat(relational.get(2.0).mean())
        .isCloseTo(70.0, org.assertj.core.api.Assertions.within(1e-9));
    assertThat(relational.get(2.0).std())
        .isCloseTo(Math.sqrt(2), org.assertj.core.api.Assertions.within(1e-9));
  }

  @Test
  void gridAxesAreValidatedNamingTheKey() {
    assertThatThrownBy(
            () -> GridSpec.of(Map.of("methods", "random", "widths", "1,2"), Map.of("width", "2")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'width=2'")
        .hasMessageContaining("'widths'");
    assertThatThrownBy(() -> GridSpec.of(Map.of("methods", "random", "widths", "0"), Map.of()))
        .hasMessageContaining("grid key 'widths'")
        .hasMessageContaining("'0'");
    assertThatThrownBy(() -> GridSpec.of(Map.of("methods", "random", "probes", "newton"), Map.of()))
        .hasMessageContaining("grid key 'probes'")
        .hasMessageContaining("lbfgs, adam, sgd, mlp");
    assertThatThrownBy(() -> GridSpec.of(Map.of("methods", "random", "layers", "some"), Map.of()))
        .hasMessageContaining("grid key 'layers'");
    assertThatThrownBy(() -> GridSpec.of(Map.of("methods", "random"), Map.of("probe", "lbfgs")))
        .hasMessageContaining("use probes");
    // without a widths axis the settings' width is every cell's and names do not change
    GridSpec plain = GridSpec.of(Map.of("methods", "random"), Map.of("width", "0.5"));
    assertThat(plain.cells().get(0).name()).isEqualTo("random-conv4-fashion-mnist-s1");
    assertThat(plain.config(plain.cells().get(0), Path.of("x")).width()).isEqualTo(0.5);
  }
}

package org.relreason.model.benchmark;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.relreason.model.config.ProbeKind;

/**
 * The two pictures of the representation study (Kolesnikov et al. 2019), drawn with XChart from the
 * finished cells of a grid, one panel per probe side by side:
 *
 * <ul>
 *   <li>{@code accuracy-vs-width.png}: test top-1 (mean over seeds, error bars one standard
 *       deviation) against the width factor k, a line per method and backbone (grids with a {@code
 *       widths} axis);
 *   <li>{@code accuracy-per-layer.png}: test top-1 of each block's pooled output, a panel per
 *       backbone and probe, a line per method and width (grids with {@code layers all}).
 * </ul>
 */
public final class BenchmarkFigures {
  /** Pixels of one panel. */
  static final int PANEL_WIDTH = 560;

  static final int PANEL_HEIGHT = 420;

  private BenchmarkFigures() {}

  /**
   * Draws what the grid's axes allow into {@code dir}; returns the files written (none when the
   * grid has neither a widths axis nor all layers, or no cell has finished).
   *
   * @param cells the grid's cells, in the order of {@code results}
   */
  public static List<Path> write(
      GridSpec spec, List<Cell> cells, List<CellResult> results, Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    if (spec.widths().size() > 1) {
      List<XYChart> charts = new ArrayList<>();
      for (ProbeKind p : spec.probes()) {
        charts.add(widthChart(p, cells, results));
      }
      if (charts.stream().anyMatch(c -> !c.getSeriesMap().isEmpty())) {
        out.add(save(charts, 1, charts.size(), dir.resolve("accuracy-vs-width.png")));
      }
    }
    if (spec.layers().equals("all")) {
      List<XYChart> charts = new ArrayList<>();
      for (ProbeKind p : spec.probes()) {
        for (var b : spec.backbones()) {
          charts.add(layerChart(p, b.id(), cells, results));
        }
      }
      if (charts.stream().anyMatch(c -> !c.getSeriesMap().isEmpty())) {
        out.add(
            save(
                charts,
                spec.probes().size(),
                spec.backbones().size(),
                dir.resolve("accuracy-per-layer.png")));
      }
    }
    return out;
  }

  /** Mean and sample standard deviation (0 for one value) of the values. */
  record Stat(double mean, double std) {
    static Stat of(List<Double> v) {
      double m = Aggregates.mean(v);
      Double s = Aggregates.sampleStd(v);
      return new Stat(m, s == null ? 0 : s);
    }
  }

  /**
   * Test top-1 (%) by series, then by x, mean and std over seeds, of the finished cells: {@code
   * seriesOf} names a cell's line (null = not in this chart), {@code pointsOf} gives its points (x
   * to fraction) from its metrics.
   */
  static Map<String, TreeMap<Double, Stat>> series(
      List<Cell> cells,
      List<CellResult> results,
      Function<Cell, String> seriesOf,
      BiFunction<Cell, Map<String, Double>, Map<Double, Double>> pointsOf) {
    Map<String, TreeMap<Double, List<Double>>> raw = new LinkedHashMap<>();
    for (int i = 0; i < cells.size(); i++) {
      CellResult r = results.get(i);
      String s = seriesOf.apply(cells.get(i));
      if (!r.done() || s == null) {
        continue;
      }
      pointsOf
          .apply(cells.get(i), r.metrics())
          .forEach(
              (x, v) ->
                  raw.computeIfAbsent(s, k -> new TreeMap<>())
                      .computeIfAbsent(x, k -> new ArrayList<>())
                      .add(100 * v));
    }
    Map<String, TreeMap<Double, Stat>> out = new LinkedHashMap<>();
    raw.forEach(
        (s, byX) -> {
          TreeMap<Double, Stat> stats = new TreeMap<>();
          byX.forEach((x, v) -> stats.put(x, Stat.of(v)));
          out.put(s, stats);
        });
    return out;
  }

  private static XYChart widthChart(ProbeKind p, List<Cell> cells, List<CellResult> results) {
    XYChart chart = chart(p.id() + " probe: top-1 vs width", "width factor k", "test top-1 (%)");
    String metric = GridProtocols.probeMetric(p.id());
    series(
            cells,
            results,
            c -> c.width() == null ? null : c.method().id() + " " + c.backbone().id(),
            (c, m) -> m.containsKey(metric) ? Map.of(c.width(), m.get(metric)) : Map.of())
        .forEach((name, byX) -> add(chart, name, byX));
    return chart;
  }

  private static XYChart layerChart(
      ProbeKind p, String backbone, List<Cell> cells, List<CellResult> results) {
    XYChart chart =
        chart(p.id() + " probe, " + backbone + ": top-1 per block", "block", "test top-1 (%)");
    series(
            cells,
            results,
            c ->
                c.backbone().id().equals(backbone)
                    ? c.method().id() + (c.width() == null ? "" : " x" + Cell.widthText(c.width()))
                    : null,
            (c, m) -> {
              Map<Double, Double> points = new TreeMap<>();
              for (int b = 1; m.containsKey(GridProtocols.layerMetric(p.id(), b)); b++) {
                points.put((double) b, m.get(GridProtocols.layerMetric(p.id(), b)));
              }
              return points;
            })
        .forEach((name, byX) -> add(chart, name, byX));
    return chart;
  }

  private static XYChart chart(String title, String x, String y) {
    XYChart c =
        new XYChartBuilder()
            .width(PANEL_WIDTH)
            .height(PANEL_HEIGHT)
            .title(title)
            .xAxisTitle(x)
            .yAxisTitle(y)
            .build();
    c.getStyler().setLegendPosition(Styler.LegendPosition.InsideSE);
    c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    return c;
  }

  private static void add(XYChart chart, String name, TreeMap<Double, Stat> byX) {
    double[] xs = byX.keySet().stream().mapToDouble(Double::doubleValue).toArray();
    double[] ys = byX.values().stream().mapToDouble(Stat::mean).toArray();
    double[] err = byX.values().stream().mapToDouble(Stat::std).toArray();
    chart.addSeries(name, xs, ys, err);
  }

  private static Path save(List<XYChart> charts, int rows, int cols, Path file) throws IOException {
    Files.createDirectories(file.getParent());
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp.png");
    BitmapEncoder.saveBitmap(charts, rows, cols, tmp.toString(), BitmapEncoder.BitmapFormat.PNG);
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return file;
  }
}

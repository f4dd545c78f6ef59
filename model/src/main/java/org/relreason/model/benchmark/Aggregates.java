package org.relreason.model.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.relreason.model.eval.PaperReference;

/**
 * Mean and standard deviation over seeds per (method, backbone, dataset) and metric, with the
 * paper's number for the linear evaluation when {@link PaperReference} has one.
 *
 * <p>The standard deviation is the sample one (divisor n − 1), as numpy's {@code std(ddof=1)}; it
 * is undefined (null) for one seed.
 */
public final class Aggregates {
  private Aggregates() {}

  /**
   * The scores of one group for one metric.
   *
   * @param method method id
   * @param backbone backbone id
   * @param dataset dataset name
   * @param metric metric name
   * @param n seeds that finished with this metric
   * @param failed cells of the group that failed
   * @param mean mean over the n seeds (null when n = 0)
   * @param std sample standard deviation (null when n &lt; 2)
   * @param values the n values, by ascending seed
   * @param paper the paper's number for this cell, or null (never invented)
   */
  public record Aggregate(
      String method,
      String backbone,
      String dataset,
      String metric,
      int n,
      int failed,
      Double mean,
      Double std,
      List<Double> values,
      Double paper) {}

  /** The paper's row name of a method (its Table 1 says "Relational reasoning" for ours). */
  public static String paperMethod(String method) {
    return method.equals("relational") ? "relational_reasoning" : method;
  }

  /** Mean of values. */
  static double mean(List<Double> v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.size();
  }

  /** Sample standard deviation (n − 1); null below two values. */
  static Double sampleStd(List<Double> v) {
    if (v.size() < 2) {
      return null;
    }
    double m = mean(v);
    double ss = 0;
    for (double x : v) {
      ss += (x - m) * (x - m);
    }
    return Math.sqrt(ss / (v.size() - 1));
  }

  /**
   * Aggregates cell results in the order of {@code groups}; every metric any cell of a group
   * produced gets an entry, and a group whose cells all failed gets one entry per {@code
   * baseMetrics} with n = 0.
   */
  public static List<Aggregate> of(
      List<Cell.Group> groups,
      List<CellResult> cells,
      List<String> baseMetrics,
      PaperReference paper) {
    List<Aggregate> out = new ArrayList<>();
    for (Cell.Group g : groups) {
      List<CellResult> mine =
          cells.stream()
              .filter(c -> c.group().equals(g))
              .sorted((a, b) -> Long.compare(a.seed(), b.seed()))
              .toList();
      int failed = (int) mine.stream().filter(c -> !c.done()).count();
      TreeSet<String> extra = new TreeSet<>();
      mine.stream().filter(CellResult::done).forEach(c -> extra.addAll(c.metrics().keySet()));
      Map<String, Boolean> metrics = new LinkedHashMap<>();
      baseMetrics.forEach(m -> metrics.put(m, true));
      extra.forEach(m -> metrics.put(m, true));
      for (String metric : metrics.keySet()) {
        List<Double> values =
            mine.stream()
                .filter(CellResult::done)
                .map(c -> c.metrics().get(metric))
                .filter(v -> v != null)
                .toList();
        out.add(
            new Aggregate(
                g.method(),
                g.backbone(),
                g.dataset(),
                metric,
                values.size(),
                failed,
                values.isEmpty() ? null : mean(values),
                sampleStd(values),
                values,
                metric.equals(GridProtocols.LINEAR_TOP1) ? paperTop1(paper, g) : null));
      }
    }
    return out;
  }

  private static Double paperTop1(PaperReference paper, Cell.Group g) {
    if (paper == null) {
      return null;
    }
    String row = paperMethod(g.method());
    return paper.forDataset(g.dataset()).stream()
        .filter(e -> e.backbone().equals(g.backbone()) && e.method().equals(row))
        .map(PaperReference.Entry::top1)
        .findFirst()
        .orElse(null);
  }
}

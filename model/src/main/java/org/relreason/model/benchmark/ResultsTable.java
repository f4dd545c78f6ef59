package org.relreason.model.benchmark;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The markdown form of a {@link BenchmarkReport}: one table per metric (rows the methods, columns
 * dataset × backbone, cells {@code mean ± std (n=seeds)} in percent; the linear evaluation with the
 * paper's number beside, "–" where it has none), then every cell.
 */
public final class ResultsTable {
  private static final String NONE = "–";

  private ResultsTable() {}

  /** The whole document. */
  @SuppressWarnings("unchecked")
  public static String markdown(BenchmarkReport r) {
    StringBuilder b = new StringBuilder();
    b.append("# Benchmark results\n\n");
    b.append("- command: `").append(r.command()).append("`\n");
    b.append(
        String.format(
            Locale.ROOT,
            "- started %s; total time %.1f s%s (this invocation: %d cells computed, %d reused, %d failed)%n",
            r.startedAt(),
            r.totalSeconds(),
            r.complete() ? "" : " so far, grid still running",
            r.computed(),
            r.reused(),
            r.failed()));
    Map<String, Object> g = r.grid();
    b.append("- grid: methods ")
        .append(list(g.get("methods")))
        .append("; backbones ")
        .append(list(g.get("backbones")))
        .append("; datasets ")
        .append(list(g.get("datasets")))
        .append("; seeds ")
        .append(list(g.get("seeds")))
        .append("; protocols ")
        .append(list(g.get("protocols")))
        .append('\n');
    Map<String, Object> settings = new TreeMap<>((Map<String, Object>) g.get(GridSpec.SETTINGS));
    List<String> kv = new ArrayList<>();
    settings.forEach((k, v) -> kv.add(k + "=" + v));
    b.append("- shared settings: ")
        .append(kv.isEmpty() ? "none (train defaults)" : String.join(", ", kv))
        .append('\n');
    b.append(
            "- each entry: mean ± sample standard deviation (n − 1) over the seeds that finished"
                + " (n), in percent; paper: ")
        .append(r.paperSource())
        .append(" (")
        .append(NONE)
        .append(" where it has no number for that cell)\n");
    for (String metric : metrics(r)) {
      table(b, r, metric);
    }
    cells(b, r);
    return b.toString();
  }

  private static String list(Object o) {
    List<String> out = new ArrayList<>();
    for (Object x : (List<?>) o) {
      out.add(String.valueOf(x));
    }
    return String.join(", ", out);
  }

  private static Set<String> metrics(BenchmarkReport r) {
    Set<String> m = new LinkedHashSet<>();
    r.aggregates().forEach(a -> m.add(a.metric()));
    return m;
  }

  private static void table(StringBuilder b, BenchmarkReport r, String metric) {
    boolean paper = metric.equals(GridProtocols.LINEAR_TOP1);
    Set<String> methods = new LinkedHashSet<>();
    Set<String> columns = new LinkedHashSet<>();
    Map<String, Aggregates.Aggregate> byKey = new LinkedHashMap<>();
    for (Aggregates.Aggregate a : r.aggregates()) {
      if (a.metric().equals(metric)) {
        methods.add(a.method());
        String col = a.dataset() + ", " + a.backbone();
        columns.add(col);
        byKey.put(a.method() + "|" + col, a);
      }
    }
    b.append("\n## ").append(GridProtocols.title(metric)).append("\n\n| method |");
    for (String col : columns) {
      b.append(' ').append(col).append(" |");
      if (paper) {
        b.append(" paper |");
      }
    }
    b.append("\n| --- |");
    b.append(" --- |".repeat(columns.size() * (paper ? 2 : 1)));
    b.append('\n');
    for (String method : methods) {
      b.append("| ").append(method).append(" |");
      for (String col : columns) {
        Aggregates.Aggregate a = byKey.get(method + "|" + col);
        b.append(' ').append(a == null ? NONE : entry(a)).append(" |");
        if (paper) {
          b.append(' ').append(a == null || a.paper() == null ? NONE : pct(a.paper())).append(" |");
        }
      }
      b.append('\n');
    }
  }

  /** One table entry: {@code 71.20 ± 0.40 (n=2)}, with failures counted. */
  static String entry(Aggregates.Aggregate a) {
    String failed = a.failed() > 0 ? ", " + a.failed() + " failed" : "";
    if (a.n() == 0) {
      return a.failed() > 0 ? "failed (" + a.failed() + ")" : NONE;
    }
    String std = a.std() == null ? "" : " ± " + pct(a.std());
    return pct(a.mean()) + std + " (n=" + a.n() + failed + ")";
  }

  private static String pct(double fraction) {
    return String.format(Locale.ROOT, "%.2f", 100 * fraction);
  }

  private static void cells(StringBuilder b, BenchmarkReport r) {
    Set<String> metrics = metrics(r);
    b.append("\n## Cells\n\n| cell | status |");
    for (String m : metrics) {
      b.append(' ').append(m).append(" |");
    }
    b.append(" steps | pre-training s | evaluation s | cell s | note |\n| --- | --- |");
    b.append(" --- |".repeat(metrics.size() + 5)).append('\n');
    for (CellResult c : r.cells()) {
      b.append("| ").append(c.cell()).append(" | ").append(c.status()).append(" |");
      for (String m : metrics) {
        Double v = c.metrics().get(m);
        b.append(' ').append(v == null ? NONE : pct(v)).append(" |");
      }
      b.append(' ')
          .append(c.steps() == null ? NONE : c.steps().toString())
          .append(" | ")
          .append(seconds(c.trainSeconds()))
          .append(" | ")
          .append(seconds(c.evalSeconds()))
          .append(" | ")
          .append(seconds(c.wallSeconds()))
          .append(" | ")
          .append(note(c))
          .append(" |\n");
    }
  }

  private static String seconds(Double s) {
    return s == null ? NONE : String.format(Locale.ROOT, "%.1f", s);
  }

  private static String note(CellResult c) {
    if (c.error() != null) {
      String e = c.error().replace('\n', ' ').replace("|", "\\|");
      return e.length() > 300 ? e.substring(0, 300) + "…" : e;
    }
    return c.reused() ? "reused (finished " + c.finishedAt() + ")" : "";
  }
}

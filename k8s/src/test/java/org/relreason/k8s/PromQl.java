package org.relreason.k8s;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Finds the metric names a PromQL expression (as written in a Grafana panel, with {@code $vars})
 * reads. A hand-written scanner rather than a PromQL parser: no maintained Java PromQL parser is on
 * Maven Central, and the dashboard only needs names told apart from functions, keywords, label
 * names, strings, durations and numbers.
 */
final class PromQl {
  /** PromQL functions and aggregation operators the dashboard may call. */
  static final Set<String> FUNCTIONS =
      Set.of(
          "rate",
          "irate",
          "increase",
          "delta",
          "deriv",
          "histogram_quantile",
          "sum",
          "avg",
          "min",
          "max",
          "count",
          "topk",
          "bottomk",
          "quantile",
          "stddev",
          "scalar",
          "vector",
          "abs",
          "clamp_min",
          "clamp_max",
          "label_replace",
          "avg_over_time",
          "max_over_time",
          "min_over_time",
          "sum_over_time",
          "time",
          "timestamp",
          "changes",
          "resets",
          "absent",
          "label_values");

  /** Keywords followed by a parenthesised list of label names. */
  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset");

  private PromQl() {}

  /**
   * The metric names in {@code expr}, in order of appearance. Throws when the expression calls a
   * function not in {@link #FUNCTIONS} (a typo there would otherwise hide a wrong metric name) or
   * does not balance its brackets.
   */
  static Set<String> metricNames(String expr) {
    Set<String> names = new LinkedHashSet<>();
    int i = 0;
    int n = expr.length();
    while (i < n) {
      char ch = expr.charAt(i);
      if (ch == '"' || ch == '\'' || ch == '`') {
        i = skipString(expr, i);
      } else if (ch == '{') {
        i = skipTo(expr, i, '}');
      } else if (ch == '[') {
        i = skipTo(expr, i, ']');
      } else if (ch == '$') {
        i = skipIdentifier(expr, i + 1);
      } else if (Character.isDigit(ch) || ch == '.') {
        while (i < n && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
          i++;
        }
      } else if (Character.isLetter(ch) || ch == '_' || ch == ':') {
        int end = skipIdentifier(expr, i);
        String word = expr.substring(i, end);
        int next = skipSpaces(expr, end);
        boolean call = next < n && expr.charAt(next) == '(';
        // `sum by (le) (…)`: an aggregation whose grouping comes before its argument
        boolean grouped = expr.startsWith("by", next) || expr.startsWith("without", next);
        if (grouped && FUNCTIONS.contains(word)) {
          i = end;
          continue;
        }
        if (LABEL_LIST_KEYWORDS.contains(word)) {
          i = call ? skipTo(expr, next, ')') : end;
          continue;
        }
        if (call) {
          if (!FUNCTIONS.contains(word)) {
            throw new IllegalArgumentException(
                "unknown PromQL function '" + word + "' in: " + expr);
          }
        } else if (!KEYWORDS.contains(word)) {
          names.add(word);
        }
        i = end;
      } else {
        i++;
      }
    }
    return names;
  }

  /**
   * The metric a Grafana Prometheus variable query reads: {@code label_values(metric, label)} gives
   * {@code metric}, {@code label_values(label)} none, anything else is read as PromQL.
   */
  static Set<String> variableQueryMetricNames(String query) {
    String q = query.strip();
    if (q.startsWith("label_values(") && q.endsWith(")")) {
      String inner = q.substring("label_values(".length(), q.length() - 1);
      int comma = inner.lastIndexOf(',');
      return comma < 0 ? Set.of() : metricNames(inner.substring(0, comma));
    }
    return metricNames(q);
  }

  private static int skipIdentifier(String s, int i) {
    while (i < s.length()
        && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '_' || s.charAt(i) == ':')) {
      i++;
    }
    return i;
  }

  private static int skipSpaces(String s, int i) {
    while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  private static int skipString(String s, int i) {
    char quote = s.charAt(i);
    for (int j = i + 1; j < s.length(); j++) {
      if (s.charAt(j) == '\\' && quote != '`') {
        j++;
      } else if (s.charAt(j) == quote) {
        return j + 1;
      }
    }
    throw new IllegalArgumentException("unterminated string in: " + s);
  }

  /** Index after the bracket closing the one at {@code i}, skipping strings inside. */
  private static int skipTo(String s, int i, char close) {
    for (int j = i + 1; j < s.length(); j++) {
      char ch = s.charAt(j);
      if (ch == '"' || ch == '\'' || ch == '`') {
        j = skipString(s, j) - 1;
      } else if (ch == close) {
        return j + 1;
      }
    }
    throw new IllegalArgumentException("no '" + close + "' closes position " + i + " in: " + s);
  }
}

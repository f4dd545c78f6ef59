package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Grafana dashboard reads only exported series, the right way for each metric type. */
class GrafanaDashboardTest {
  private static final Path DASHBOARD = Path.of("base/grafana/relreason-dashboard.json");
  private static JsonNode dashboard;

  @BeforeAll
  static void load() throws Exception {
    dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
  }

  @Test
  void everyExpressionReadsOnlyExportedSeries() throws Exception {
    Set<String> exported = ClusterContract.exportedSeries();
    Map<String, Set<String>> used = metricsByExpression();
    assertThat(used).as("expressions in %s", DASHBOARD).hasSizeGreaterThan(20);
    used.forEach(
        (expr, names) -> {
          assertThat(names).as("metrics in: %s", expr).isNotEmpty();
          assertThat(exported).as("exported series used by: %s", expr).containsAll(names);
        });
  }

  @Test
  void countersAreRatedAndHistogramsAreReadThroughQuantilesOfRatedBuckets() throws Exception {
    Pattern quantile =
        Pattern.compile(
            "histogram_quantile\\(0?\\.\\d+, sum by \\(le(, \\w+)?\\) \\(rate\\((\\w+)_bucket\\{");
    for (String expr : panelExpressions()) {
      for (String name : PromQl.metricNames(expr)) {
        if (name.endsWith("_total") || name.endsWith("_sum") || name.endsWith("_count")) {
          boolean rated =
              expr.contains("rate(" + name + "{") || expr.contains("increase(" + name + "{");
          assertThat(rated).as("counter %s is rated in: %s", name, expr).isTrue();
        }
        if (name.endsWith("_bucket")) {
          assertThat(quantile.matcher(expr).find())
              .as("histogram %s read through histogram_quantile in: %s", name, expr)
              .isTrue();
        }
      }
    }
  }

  @Test
  void hasTheDatasourceAndInstanceVariablesAndTheFiveRows() {
    Map<String, JsonNode> vars = new LinkedHashMap<>();
    dashboard.path("templating").path("list").forEach(v -> vars.put(v.path("name").asText(), v));
    assertThat(vars).containsKeys("datasource", "instance");
    assertThat(vars.get("datasource").path("type").asText()).isEqualTo("datasource");
    assertThat(vars.get("datasource").path("query").asText()).isEqualTo("prometheus");
    assertThat(vars.get("instance").path("type").asText()).isEqualTo("query");
    List<String> rows = new ArrayList<>();
    for (JsonNode p : dashboard.path("panels")) {
      if (p.path("type").asText().equals("row")) {
        rows.add(p.path("title").asText());
      } else {
        assertThat(p.path("datasource").path("uid").asText())
            .as("panel '%s' uses the datasource variable", p.path("title").asText())
            .isEqualTo("${datasource}");
        assertThat(p.path("targets"))
            .as("panel '%s' targets", p.path("title").asText())
            .isNotEmpty();
      }
    }
    assertThat(rows).containsExactly("Training", "Workers", "Communication", "Evaluation", "JVM");
    assertThat(dashboard.path("schemaVersion").asInt()).isGreaterThanOrEqualTo(39);
    assertThat(dashboard.path("uid").asText()).isEqualTo("relreason");
  }

  @Test
  void provisioningPointsGrafanaAtAPrometheusAndADashboardFolder() throws Exception {
    YAMLMapper yaml = new YAMLMapper();
    Path dir = Path.of("base/grafana/provisioning");
    JsonNode ds = yaml.readTree(dir.resolve("datasources/prometheus.yaml").toFile());
    assertThat(ds.path("datasources")).hasSize(1);
    assertThat(ds.path("datasources").get(0).path("type").asText()).isEqualTo("prometheus");
    JsonNode dash = yaml.readTree(dir.resolve("dashboards/relreason.yaml").toFile());
    JsonNode provider = dash.path("providers").get(0);
    assertThat(provider.path("type").asText()).isEqualTo("file");
    assertThat(provider.path("options").path("path").asText()).startsWith("/");
  }

  @Test
  void scannerTellsMetricsFromFunctionsLabelsVariablesAndDurations() {
    assertThat(
            PromQl.metricNames(
                "histogram_quantile(0.95, sum by (le, phase) (rate(relreason_step_phase_duration_"
                    + "seconds_bucket{instance=~\"$instance\", phase=~\"fan_in|x{y}\"}"
                    + "[$__rate_interval])))"))
        .containsExactly("relreason_step_phase_duration_seconds_bucket");
    assertThat(
            PromQl.metricNames(
                "scalar(max(a_version{instance=~\"$i\"})) - b_version{x=\"1\"} offset 5m"
                    + " and on (instance) c_total"))
        .containsExactly("a_version", "b_version", "c_total");
    assertThat(
            PromQl.variableQueryMetricNames("label_values(relreason_train_steps_total, instance)"))
        .containsExactly("relreason_train_steps_total");
    assertThat(PromQl.variableQueryMetricNames("label_values(instance)")).isEmpty();
    assertThatThrownBy(() -> PromQl.metricNames("rte(x_total[5m])"))
        .hasMessageContaining("unknown PromQL function 'rte'");
    assertThatThrownBy(() -> PromQl.metricNames("rate(x_total{a=\"b\"[5m])"))
        .hasMessageContaining("no '}'");
  }

  /** The PromQL of every panel target, collapsed rows' nested panels included. */
  private static List<String> panelExpressions() {
    List<String> out = new ArrayList<>();
    List<JsonNode> panels = new ArrayList<>();
    dashboard.path("panels").forEach(panels::add);
    for (int i = 0; i < panels.size(); i++) {
      panels.get(i).path("panels").forEach(panels::add);
      for (JsonNode t : panels.get(i).path("targets")) {
        String expr = t.path("expr").asText();
        assertThat(expr).as("panel '%s' target expr", panels.get(i).path("title")).isNotBlank();
        out.add(expr);
      }
    }
    return out;
  }

  /**
   * Every PromQL expression of the dashboard (panel targets and variable queries) and its names.
   */
  private static Map<String, Set<String>> metricsByExpression() {
    Map<String, Set<String>> out = new LinkedHashMap<>();
    for (String expr : panelExpressions()) {
      out.put(expr, PromQl.metricNames(expr));
    }
    for (JsonNode v : dashboard.path("templating").path("list")) {
      if (v.path("type").asText().equals("query")) {
        JsonNode q = v.path("query");
        String text = q.isObject() ? q.path("query").asText() : q.asText();
        Set<String> names = new TreeSet<>(PromQl.variableQueryMetricNames(text));
        out.put(text, names);
      }
    }
    return out;
  }
}

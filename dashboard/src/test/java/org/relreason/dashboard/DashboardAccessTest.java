package org.relreason.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.DashboardOptions;
import org.relreason.observe.ParamsSource;

/** Who may see the dashboard. */
class DashboardAccessTest {

  @Test
  void aNonLoopbackBindIsRefusedWithoutAToken(@TempDir Path dir) throws Exception {
    assertThatThrownBy(() -> new DashboardOptions("0.0.0.0", 8080, null, false).access())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--dashboard-host 0.0.0.0")
        .hasMessageContaining("--dashboard-token-file")
        .hasMessageContaining("--dashboard-insecure");
    // explicitly insecure, or with a token, it is allowed
    assertThat(new DashboardOptions("0.0.0.0", 8080, null, true).access().token()).isNull();
    Path token = Files.writeString(dir.resolve("token"), "s3cret-token\n");
    assertThat(new DashboardOptions("0.0.0.0", 8080, token, false).access().token())
        .isEqualTo("s3cret-token");
    // loopback needs nothing
    assertThat(new DashboardOptions("127.0.0.1", 8080, null, false).access().token()).isNull();
    assertThat(new DashboardOptions("localhost", 8080, null, false).access().host())
        .isEqualTo("localhost");
    // a token file that is missing or empty is named
    Path missing = dir.resolve("nope");
    assertThatThrownBy(() -> new DashboardOptions("0.0.0.0", 8080, missing, false).access())
        .hasMessageContaining(missing.toString());
    Path empty = Files.writeString(dir.resolve("empty"), "  \n");
    assertThatThrownBy(() -> new DashboardOptions("0.0.0.0", 8080, empty, false).access())
        .hasMessageContaining(empty.toString())
        .hasMessageContaining("empty");
  }

  @Test
  void withATokenRequestsWithoutItGet401() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      DashboardState state = new DashboardState(Map.of("k", "4"), "fashion-mnist", "test");
      DashboardVerticle v =
          new DashboardVerticle(
              new DashboardAccess("127.0.0.1", 0, "s3cret-token", false),
              state,
              new PrometheusRegistry(),
              () -> true,
              ParamsSource.NONE,
              () -> {
                throw new IllegalStateException("no retrieval in this test");
              });
      vertx.deployVerticle(v).await();
      String base = "http://127.0.0.1:" + v.actualPort();
      for (String path : new String[] {"/", "/api/state", "/api/events", "/metrics"}) {
        assertThat(TinyRuns.get(base + path).statusCode()).as(path).isEqualTo(401);
        assertThat(TinyRuns.get(base + path + "?token=wrong").statusCode()).as(path).isEqualTo(401);
        assertThat(TinyRuns.get(base + path, "Authorization", "Bearer s3cret-tokenX").statusCode())
            .as(path)
            .isEqualTo(401);
      }
      assertThat(TinyRuns.get(base + "/api/state?token=s3cret-token").statusCode()).isEqualTo(200);
      var withHeader = TinyRuns.get(base + "/api/state", "Authorization", "Bearer s3cret-token");
      assertThat(withHeader.statusCode()).isEqualTo(200);
      assertThat(withHeader.body()).contains("\"dataset\":\"fashion-mnist\"");
      assertThat(TinyRuns.get(base + "/?token=s3cret-token").body())
          .contains("<canvas id=\"loss\"");
      // printed and logged: the token must not be in it
      assertThat(v.url() + v.tokenNote()).doesNotContain("s3cret-token").contains("?token=");
      // the page's code and Chart.js hold no run data and load without the token
      assertThat(TinyRuns.get(base + "/static/dashboard.js").statusCode()).isEqualTo(200);
      assertThat(TinyRuns.get(base + "/webjars/chartjs/4.4.3/dist/chart.umd.js").statusCode())
          .isEqualTo(200);
    } finally {
      vertx.close().await();
    }
  }
}

package org.relreason.observe;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** {@code /metrics} with a token: 401 without it, 200 with it; the health probes stay open. */
class MetricsServerTokenTest {
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void metricsNeedTheTokenAndHealthProbesDoNot() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      MetricsServer s =
          new MetricsServer("127.0.0.1", 0, new PrometheusRegistry(), () -> true, "t0k");
      vertx.deployVerticle(s).await();
      String base = "http://127.0.0.1:" + s.actualPort();
      assertThat(get(base + "/metrics", null)).isEqualTo(401);
      assertThat(get(base + "/metrics", "Bearer wrong")).isEqualTo(401);
      assertThat(get(base + "/metrics?token=t0kX", null)).isEqualTo(401);
      assertThat(get(base + "/metrics", "Bearer t0k")).isEqualTo(200);
      assertThat(get(base + "/health/live", null)).isEqualTo(200);
      assertThat(get(base + "/health/ready", null)).isEqualTo(200);
    } finally {
      vertx.close().await();
    }
  }

  private static int get(String url, String authorization) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }
}

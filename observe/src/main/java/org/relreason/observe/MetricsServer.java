package org.relreason.observe;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small HTTP endpoint for Prometheus and for probes ({@code --metrics-port}): {@code GET
 * /metrics} (text format), {@code /health/live} (200 while this verticle's event loop answers) and
 * {@code /health/ready} (200 when {@code ready} says so, else 503). Scrapes are written off the
 * event loop.
 */
public final class MetricsServer extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);

  private final String host;
  private final int port;
  private final PrometheusRegistry registry;
  private final BooleanSupplier ready;
  private final String token;
  private HttpServer server;

  /**
   * @param host address to bind (127.0.0.1 unless the scraper is elsewhere)
   * @param port port to bind (0: any free port, see {@link #actualPort()})
   * @param registry what {@code /metrics} exposes
   * @param ready whether {@code /health/ready} answers 200
   */
  public MetricsServer(String host, int port, PrometheusRegistry registry, BooleanSupplier ready) {
    this(host, port, registry, ready, null);
  }

  /**
   * As {@link #MetricsServer(String, int, PrometheusRegistry, BooleanSupplier)}, with {@code
   * /metrics} answering 401 unless the request carries {@code token} ({@code Authorization: Bearer
   * TOKEN}, as Prometheus sends it, or {@code ?token=TOKEN}); null for none. The health probes stay
   * open: they tell only "live" and "ready".
   */
  public MetricsServer(
      String host, int port, PrometheusRegistry registry, BooleanSupplier ready, String token) {
    this.token = token;
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("metrics port must be in [0, 65535], got " + port);
    }
    this.host = host;
    this.port = port;
    this.registry = registry;
    this.ready = ready;
  }

  @Override
  public Future<?> start() {
    return vertx
        .createHttpServer()
        .requestHandler(this::handle)
        .listen(port, host)
        .onSuccess(
            s -> {
              server = s;
              LOG.info("metrics on http://{}:{}/metrics", host, s.actualPort());
            });
  }

  /** The bound port (after start). */
  public int actualPort() {
    return server.actualPort();
  }

  private void handle(HttpServerRequest req) {
    switch (req.path()) {
      case "/metrics" -> {
        if (authorized(req)) {
          serveMetrics(req, registry);
        } else {
          req.response()
              .setStatusCode(401)
              .putHeader("WWW-Authenticate", "Bearer realm=\"relreason\"")
              .end("401: /metrics needs its token (Authorization: Bearer TOKEN)\n");
        }
      }
      case "/health/live" -> req.response().end("live\n");
      case "/health/ready" -> {
        boolean ok = ready.getAsBoolean();
        req.response().setStatusCode(ok ? 200 : 503).end(ok ? "ready\n" : "not ready\n");
      }
      default -> req.response().setStatusCode(404).end("not found\n");
    }
  }

  private boolean authorized(HttpServerRequest req) {
    if (token == null) {
      return true;
    }
    String given = req.getParam("token");
    String header = req.getHeader("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      given = header.substring("Bearer ".length()).strip();
    }
    // constant time: the comparison must not tell how much of a guess was right
    return given != null
        && java.security.MessageDigest.isEqual(
            given.getBytes(java.nio.charset.StandardCharsets.UTF_8),
            token.getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Answers a scrape of {@code registry}; collecting runs on a worker thread. */
  public static void serveMetrics(HttpServerRequest req, PrometheusRegistry registry) {
    io.vertx.core.Vertx.currentContext()
        .owner()
        .executeBlocking(() -> Registries.scrape(registry), false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                req.response()
                    .putHeader("Content-Type", Registries.contentType())
                    .end(Buffer.buffer(ar.result()));
              } else {
                req.response().setStatusCode(500).end(String.valueOf(ar.cause()));
              }
            });
  }

  @Override
  public Future<?> stop() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}

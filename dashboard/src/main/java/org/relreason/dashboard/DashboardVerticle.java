package org.relreason.dashboard;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.relreason.model.eval.PaperReference;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.MetricsServer;
import org.relreason.observe.ParamsSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dashboard's HTTP server (Vert.x Web).
 *
 * <ul>
 *   <li>{@code GET /}: the page (from this jar); {@code /static/*} its script and style, {@code
 *       /webjars/*} Chart.js from its WebJar (never a CDN)
 *   <li>{@code GET /api/state}: everything so far as JSON; {@code GET /api/events}: server-sent
 *       events ({@code snapshot} first, then {@code step}, {@code worker}, {@code eval}, {@code
 *       run})
 *   <li>{@code GET /api/retrieval?queries=Q&k=K}: Q query images of the evaluation split and their
 *       K nearest neighbours under the current backbone, as PNG data URLs
 *   <li>{@code GET /api/paper}: the paper's reference numbers for the run's dataset
 *   <li>{@code GET /metrics}, {@code /health/live}, {@code /health/ready}
 * </ul>
 *
 * With a token every route but the page's static assets (no run data there) answers 401 unless the
 * request carries {@code Authorization: Bearer TOKEN} or {@code ?token=TOKEN}.
 */
public final class DashboardVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(DashboardVerticle.class);
  private static final String WEB = "org/relreason/dashboard/web";
  private static final int MAX_QUERIES = 16;
  private static final int MAX_K = 32;

  private final DashboardAccess access;
  private final DashboardState state;
  private final PrometheusRegistry registry;
  private final BooleanSupplier ready;
  private final ParamsSource params;
  private final Supplier<Retrieval> retrieval;
  private final PaperReference paper;
  private WorkerExecutor executor;
  private HttpServer server;
  private Retrieval retriever;

  /**
   * @param access where to listen and the token, if any
   * @param state what the page shows
   * @param registry what {@code /metrics} exposes
   * @param ready whether {@code /health/ready} answers 200
   * @param params the current parameters for retrieval
   * @param retrieval builds the retrieval gallery and model replica (called once, off the event
   *     loop, on the first retrieval request)
   */
  public DashboardVerticle(
      DashboardAccess access,
      DashboardState state,
      PrometheusRegistry registry,
      BooleanSupplier ready,
      ParamsSource params,
      Supplier<Retrieval> retrieval) {
    this.access = access;
    this.state = state;
    this.registry = registry;
    this.ready = ready;
    this.params = params;
    this.retrieval = retrieval;
    this.paper = PaperReference.load();
  }

  @Override
  public Future<?> start() {
    // one thread: retrieval holds one model replica, and it must not take a second core from
    // training
    executor = vertx.createSharedWorkerExecutor("relreason-dashboard", 1, 10, TimeUnit.MINUTES);
    Router router = Router.router(vertx);
    router.route("/static/*").handler(StaticHandler.create(WEB).setCachingEnabled(false));
    router.route("/webjars/*").handler(StaticHandler.create("META-INF/resources/webjars"));
    router.route().handler(this::authorize);
    router
        .get("/")
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .sendFile(WEB + "/index.html"));
    router.get("/api/state").handler(ctx -> json(ctx, state.snapshot()));
    router.get("/api/events").handler(this::events);
    router.get("/api/paper").handler(this::paper);
    router.get("/api/retrieval").handler(this::retrieve);
    router.get("/metrics").handler(ctx -> MetricsServer.serveMetrics(ctx.request(), registry));
    router.get("/health/live").handler(ctx -> ctx.response().end("live\n"));
    router
        .get("/health/ready")
        .handler(
            ctx -> {
              boolean ok = ready.getAsBoolean();
              ctx.response().setStatusCode(ok ? 200 : 503).end(ok ? "ready\n" : "not ready\n");
            });
    return vertx
        .createHttpServer()
        .requestHandler(router)
        .listen(access.port(), access.host())
        .onSuccess(
            s -> {
              server = s;
              LOG.info("dashboard on {}{}", url(), tokenNote());
            });
  }

  /** The bound port (after start). */
  public int actualPort() {
    return server.actualPort();
  }

  /**
   * The page's address, never with the token: a URL is printed and logged, and a token in it would
   * end up in log files and terminal scrollback. See {@link #tokenNote()}.
   */
  public String url() {
    String host = access.host().contains(":") ? "[" + access.host() + "]" : access.host();
    return "http://" + host + ":" + actualPort() + "/";
  }

  /** What to print after {@link #url()}: how to pass the token, if one is needed ("" if not). */
  public String tokenNote() {
    return access.token() == null
        ? ""
        : " (token required: add ?token=<contents of --dashboard-token-file>, or send"
            + " Authorization: Bearer)";
  }

  private void authorize(RoutingContext ctx) {
    String token = access.token();
    if (token == null) {
      ctx.next();
      return;
    }
    String given = ctx.request().getParam("token");
    String header = ctx.request().getHeader("Authorization");
    if (header != null && header.startsWith("Bearer ")) {
      given = header.substring("Bearer ".length()).strip();
    }
    // constant time: the comparison must not tell how much of a guess was right
    if (given != null
        && MessageDigest.isEqual(
            given.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8))) {
      ctx.next();
    } else {
      ctx.response()
          .setStatusCode(401)
          .putHeader("WWW-Authenticate", "Bearer realm=\"relreason\"")
          .end("401: this dashboard needs its token (Authorization: Bearer TOKEN or ?token=)\n");
    }
  }

  private static void json(RoutingContext ctx, Object body) {
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(body instanceof JsonObject o ? o.encode() : ((JsonArray) body).encode());
  }

  private void events(RoutingContext ctx) {
    HttpServerResponse res = ctx.response();
    res.setChunked(true)
        .putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store")
        .putHeader("Connection", "keep-alive");
    Context context = vertx.getOrCreateContext();
    Consumer<JsonObject> subscriber =
        e ->
            context.runOnContext(
                v -> {
                  // a client that cannot keep up misses steps rather than growing our memory;
                  // it gets everything again from the snapshot when it reconnects
                  boolean droppable = "step".equals(e.getString("type"));
                  if (!res.closed() && !(droppable && res.writeQueueFull())) {
                    res.write(sse(e));
                  }
                });
    JsonObject snapshot = state.subscribe(subscriber);
    res.write(sse(snapshot));
    long ping = vertx.setPeriodic(15_000, t -> res.write(": keep-alive\n\n"));
    res.closeHandler(
        v -> {
          state.unsubscribe(subscriber);
          vertx.cancelTimer(ping);
        });
  }

  private static String sse(JsonObject e) {
    return "event: " + e.getString("type") + "\ndata: " + e.encode() + "\n\n";
  }

  private void paper(RoutingContext ctx) {
    JsonArray entries = new JsonArray();
    String dataset = state.snapshot().getString("dataset");
    for (PaperReference.Entry e : paper.forDataset(dataset)) {
      entries.add(
          new JsonObject()
              .put("dataset", e.dataset())
              .put("backbone", e.backbone())
              .put("method", e.method())
              .put("top1", e.top1()));
    }
    json(
        ctx,
        new JsonObject()
            .put("source", paper.source())
            .put("note", paper.note())
            .put("entries", entries));
  }

  private void retrieve(RoutingContext ctx) {
    int queries;
    int k;
    try {
      queries = intParam(ctx, "queries", 4, 1, MAX_QUERIES);
      k = intParam(ctx, "k", 6, 1, MAX_K);
    } catch (IllegalArgumentException e) {
      ctx.response().setStatusCode(400).end(e.getMessage() + "\n");
      return;
    }
    executor
        .executeBlocking(() -> retrieval(queries, k), false)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                LOG.warn("retrieval failed", ar.cause());
                ctx.response().setStatusCode(500).end(String.valueOf(ar.cause()) + "\n");
              } else if (ar.result() == null) {
                ctx.response()
                    .setStatusCode(503)
                    .end("no parameters yet: retrieval is available once training has started\n");
              } else {
                json(ctx, ar.result());
              }
            });
  }

  private static int intParam(RoutingContext ctx, String name, int def, int min, int max) {
    String v = ctx.request().getParam(name);
    if (v == null) {
      return def;
    }
    try {
      int n = Integer.parseInt(v);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "query parameter '"
            + name
            + "': '"
            + v
            + "' is not an integer in ["
            + min
            + ", "
            + max
            + "]");
  }

  /** Runs on the dashboard's worker thread. */
  private JsonObject retrieval(int queries, int k) throws InterruptedException {
    float[] p = params.current();
    if (p == null) {
      return null;
    }
    if (retriever == null) {
      retriever = retrieval.get();
    }
    float[][] unit = retriever.features(p);
    var gallery = retriever.gallery();
    JsonArray out = new JsonArray();
    int n = Math.min(queries, gallery.size());
    for (int q = 0; q < n; q++) {
      int query = (int) ((long) q * gallery.size() / n);
      JsonArray neighbours = new JsonArray();
      List<Retrieval.Neighbour> found = retriever.neighbours(unit, query, k);
      for (Retrieval.Neighbour nb : found) {
        neighbours.add(
            new JsonObject()
                .put("index", nb.index())
                .put("label", nb.label())
                .put("similarity", nb.similarity())
                .put("image", dataUrl(Pngs.png(gallery, nb.index(), 3))));
      }
      out.add(
          new JsonObject()
              .put("index", query)
              .put("label", gallery.label(query))
              .put("image", dataUrl(Pngs.png(gallery, query, 3)))
              .put("neighbours", neighbours));
    }
    return new JsonObject()
        .put("gallery", gallery.name())
        .put("gallerySize", gallery.size())
        .put("queries", out);
  }

  private static String dataUrl(byte[] png) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png);
  }

  @Override
  public Future<?> stop() {
    Future<Void> closed = server == null ? Future.succeededFuture() : server.close();
    return closed.compose(v -> executor.close());
  }
}

package org.relreason.dashboard;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.function.Supplier;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.method.Methods;
import org.relreason.model.run.Pretrainer;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.CoordinatorMetrics;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.MessageBytes;
import org.relreason.observe.MetricsServer;
import org.relreason.observe.ParamsSource;
import org.relreason.observe.Registries;
import org.relreason.observe.RunObserver;
import org.relreason.observe.WorkerMetrics;
import org.relreason.observe.WorkerObserver;

/**
 * Watches one {@code train} run: a Prometheus registry with the coordinator's metrics (and, in the
 * embedded mode, the workers' in the same registry: the {@code relreason_worker_*} series are sums
 * over the JVM's worker verticles and message bytes are counted once, on the coordinator's side),
 * the dashboard, and an optional {@code --metrics-port} server. The dashboard runs on a Vert.x
 * instance of its own, so it outlives the embedded run's and still shows the evaluation that
 * follows pre-training. It knows neither the coordinator nor the trainer: the launcher (the CLI)
 * gives {@link #listener()} and {@link #watched} to {@code TrainJob}, {@link #observer()} and
 * {@link #workers()} to an embedded parameter server, and tells it where the parameters are read
 * ({@link #params}).
 */
public final class RunWatch implements AutoCloseable {
  /** Gallery size of the retrieval panel (first images of the evaluation split). */
  static final int GALLERY = 512;

  private final TrainConfig config;
  private final PrometheusRegistry registry;
  private final CoordinatorMetrics metrics;
  private final WorkerMetrics workerMetrics;
  private final DashboardState state;
  private volatile ParamsSource params = ParamsSource.NONE;
  private final Vertx vertx;
  private DashboardVerticle dashboard;
  private MetricsServer metricsServer;

  private RunWatch(TrainConfig config) {
    this.config = config;
    registry = Registries.withJvmMetrics();
    MessageBytes bytes = new MessageBytes(registry);
    metrics = new CoordinatorMetrics(registry, bytes, config.m() * Methods.viewsPerImage(config));
    workerMetrics = config.workers() > 0 ? new WorkerMetrics(registry, null) : null;
    String mode =
        config.workers() > 0
            ? String.format(
                Locale.ROOT,
                "embedded parameter server, %d worker(s), %s sharding",
                config.workers(),
                config.sharding())
            : "single process";
    state = new DashboardState(config.asMap(), config.dataset(), mode);
    vertx = Vertx.vertx();
  }

  /**
   * Starts watching.
   *
   * @param config the run
   * @param dashboard where the dashboard listens, or null for none (port 0 binds any free port)
   * @param metricsHost address of the {@code --metrics-port} server
   * @param metricsPort its port, 0 for none
   */
  public static RunWatch start(
      TrainConfig config, DashboardAccess dashboard, String metricsHost, int metricsPort) {
    RunWatch w = new RunWatch(config);
    try {
      if (dashboard != null) {
        w.dashboard =
            new DashboardVerticle(
                dashboard,
                w.state,
                w.registry,
                w::ready,
                () -> w.params.current(),
                () -> retrieval(config));
        w.vertx.deployVerticle(w.dashboard).await();
      }
      if (metricsPort > 0) {
        w.metricsServer = new MetricsServer(metricsHost, metricsPort, w.registry, w::ready);
        w.vertx.deployVerticle(w.metricsServer).await();
      }
      return w;
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
  }

  private boolean ready() {
    return metrics.state() == RunObserver.RunState.RUNNING;
  }

  /** Where the retrieval panel reads the run's current parameters (default: none yet). */
  public void params(ParamsSource source) {
    this.params = source;
  }

  /** The retrieval gallery: the first images of the evaluation split. */
  static Retrieval retrieval(TrainConfig config) {
    int limit = config.evalTestLimit() > 0 ? Math.min(GALLERY, config.evalTestLimit()) : GALLERY;
    try {
      ImageSet gallery =
          Datasets.load(config.dataset(), Path.of(config.dataDir()), Split.TEST, limit);
      return new Retrieval(config, gallery, Datasets.normalization(config.dataset()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The registry behind {@code /metrics}. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /** What the dashboard shows. */
  public DashboardState state() {
    return state;
  }

  /** The dashboard's address (with the token, if any), or null without a dashboard. */
  public String dashboardUrl() {
    return dashboard == null ? null : dashboard.url();
  }

  /** The dashboard's bound port, or -1. */
  public int dashboardPort() {
    return dashboard == null ? -1 : dashboard.actualPort();
  }

  /** The metrics server's bound port, or -1. */
  public int metricsPort() {
    return metricsServer == null ? -1 : metricsServer.actualPort();
  }

  /** The listener {@code TrainJob} reports steps (single process) and evaluations to. */
  public TrainListener listener() {
    boolean single = config.workers() == 0;
    TrainListener m =
        single
            ? metrics.trainListener()
            : new TrainListener() {
              @Override
              public void onEvaluation(String protocol, String dataset, double top1) {
                metrics.onEvaluation(protocol, dataset, top1);
              }
            };
    return TrainListener.both(m, state.trainListener(single));
  }

  /** What an embedded coordinator reports to: the metrics and the dashboard. */
  public RunObserver observer() {
    return RunObserver.both(metrics, state);
  }

  /** What the embedded worker verticles report to (sums over the JVM's workers); null without. */
  public WorkerObserver workers() {
    return workerMetrics;
  }

  /** {@code inner}, with the run's end (finished or failed) shown. */
  public Pretrainer watched(Pretrainer inner) {
    return (c, train, norm, listener) -> {
      try {
        Pretrainer.Outcome o = inner.pretrain(c, train, norm, listener);
        finished(RunObserver.RunState.FINISHED);
        return o;
      } catch (IOException | RuntimeException e) {
        finished(RunObserver.RunState.FAILED);
        throw e;
      }
    };
  }

  private void finished(RunObserver.RunState s) {
    if (metrics.state() != s) {
      metrics.onRunState(s);
      state.onRunState(s);
    }
  }

  /** Stops the dashboard and the metrics server. */
  @Override
  public void close() {
    vertx.close().await();
  }

  /** Supplier form of {@link #retrieval(TrainConfig)} (tests). */
  static Supplier<Retrieval> retrievalOf(TrainConfig config) {
    return () -> retrieval(config);
  }
}

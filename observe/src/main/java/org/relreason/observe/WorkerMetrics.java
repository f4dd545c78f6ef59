package org.relreason.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * The worker's Prometheus metrics (label-free: the scrape target names the instance). In the
 * embedded mode all worker verticles of the JVM share one instance, so these are sums over them,
 * and message bytes are counted once, on the coordinator's side (pass {@code null} for {@code
 * bytes}).
 */
public final class WorkerMetrics implements WorkerObserver {
  private final Counter shards;
  private final Counter views;
  private final Histogram compute;
  private final Gauge version;
  private final MessageBytes bytes;
  private volatile boolean registered;

  /**
   * @param registry where to register
   * @param bytes where to count message bytes, or null not to count them here
   */
  public WorkerMetrics(PrometheusRegistry registry, MessageBytes bytes) {
    this.bytes = bytes;
    shards =
        Counter.builder()
            .name("relreason_worker_shards_total")
            .help("Shards this worker computed and answered")
            .register(registry);
    views =
        Counter.builder()
            .name("relreason_worker_views_processed_total")
            .help("Augmented views this worker ran through the backbone")
            .register(registry);
    compute =
        Histogram.builder()
            .name("relreason_worker_compute_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Wall time of one shard on this worker, task received to result sent")
            .classicOnly()
            .classicExponentialUpperBounds(0.01, 2, 14)
            .register(registry);
    version =
        Gauge.builder()
            .name("relreason_worker_parameter_version")
            .help("Parameter version held by this worker's replica")
            .register(registry);
  }

  /** Whether the coordinator has accepted this worker and the run has not ended for it. */
  public boolean registered() {
    return registered;
  }

  @Override
  public void onShard(int viewCount, double seconds) {
    shards.inc();
    views.inc(viewCount);
    compute.observe(seconds);
  }

  @Override
  public void onMessage(Traffic.Direction direction, Traffic.Kind kind, long n) {
    if (bytes != null) {
      bytes.add(direction, kind, n);
    }
  }

  @Override
  public void onParameterVersion(long v) {
    version.set(v);
  }

  @Override
  public void onRegistered(boolean r) {
    registered = r;
  }
}

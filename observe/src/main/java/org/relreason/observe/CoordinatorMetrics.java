package org.relreason.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;

/**
 * The run's Prometheus metrics on the coordinator side. One instance per registry. As a {@link
 * RunObserver} it follows a parameter-server run; {@link #trainListener} follows the single-process
 * trainer instead (which has no shards: its whole step is the {@code compute} phase); {@link
 * #onEvaluation} records evaluation results in either mode.
 */
public final class CoordinatorMetrics implements RunObserver {
  private static final String[] PHASES = {
    "plan", "compute", "fan_in", "aggregate", "optimizer", "broadcast"
  };

  private final Gauge loss;
  private final Gauge pairAccuracy;
  private final Counter steps;
  private final Gauge version;
  private final Gauge epoch;
  private final Counter views;
  private final Gauge viewsPerSecond;
  private final Histogram stepDuration;
  private final Histogram phaseDuration;
  private final Gauge workersActive;
  private final Gauge waitingForWorkers;
  private final MessageBytes bytes;
  private final Counter rejected;
  private final Counter deaths;
  private final Counter reassignments;
  private final Histogram checkpointDuration;
  private final Gauge checkpointSize;
  private final Counter checkpointFailures;
  private final Gauge evalAccuracy;
  private final int viewsPerStep;
  private volatile RunState state = RunState.WAITING;

  /**
   * @param registry where to register
   * @param bytes the registry's message-byte counter (shared with embedded workers' registry view)
   * @param viewsPerStep views one step builds: M times the method's views per image (K for
   *     relational reasoning)
   */
  public CoordinatorMetrics(PrometheusRegistry registry, MessageBytes bytes, int viewsPerStep) {
    this.bytes = bytes;
    this.viewsPerStep = viewsPerStep;
    loss =
        Gauge.builder()
            .name("relreason_train_loss")
            .help("Mean focal loss over the pairs of the last step")
            .register(registry);
    pairAccuracy =
        Gauge.builder()
            .name("relreason_pair_accuracy")
            .help(
                "Fraction of the last step's positive or negative pairs the relation head got right")
            .labelNames("pairs")
            .register(registry);
    steps =
        Counter.builder()
            .name("relreason_train_steps_total")
            .help("Training steps applied")
            .register(registry);
    version =
        Gauge.builder()
            .name("relreason_parameter_version")
            .help("Version of the master parameters (one per applied step)")
            .register(registry);
    epoch =
        Gauge.builder().name("relreason_epoch").help("Current epoch (0-based)").register(registry);
    views =
        Counter.builder()
            .name("relreason_views_processed_total")
            .help("Augmented views trained on (M*K per step)")
            .register(registry);
    viewsPerSecond =
        Gauge.builder()
            .name("relreason_views_per_second")
            .help("Training throughput since the run (or resume) started")
            .register(registry);
    stepDuration =
        Histogram.builder()
            .name("relreason_step_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Wall time of a whole training step")
            .classicOnly()
            .classicExponentialUpperBounds(0.01, 2, 14)
            .register(registry);
    phaseDuration =
        Histogram.builder()
            .name("relreason_step_phase_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Wall time of a training step by phase")
            .labelNames("phase")
            .classicOnly()
            .classicExponentialUpperBounds(0.0005, 2, 18)
            .register(registry);
    workersActive =
        Gauge.builder()
            .name("relreason_workers_active")
            .help("Workers registered with the coordinator")
            .register(registry);
    waitingForWorkers =
        Gauge.builder()
            .name("relreason_waiting_for_workers")
            .help(
                "1 while the coordinator waits for workers (before the first step, or mid-run when"
                    + " none is left for a shard), else 0")
            .register(registry);
    waitingForWorkers.set(1);
    rejected =
        Counter.builder()
            .name("relreason_messages_rejected_total")
            .help("Messages refused (or ignored, when late) by the coordinator, by reason")
            .labelNames("reason")
            .register(registry);
    deaths =
        Counter.builder()
            .name("relreason_worker_deaths_total")
            .help("Workers dropped from the run, by cause")
            .labelNames("cause")
            .register(registry);
    reassignments =
        Counter.builder()
            .name("relreason_shard_reassignments_total")
            .help("Shard attempts that failed and were given to another worker")
            .register(registry);
    checkpointDuration =
        Histogram.builder()
            .name("relreason_checkpoint_duration_seconds")
            .unit(Unit.SECONDS)
            .help("Wall time of writing a checkpoint")
            .classicOnly()
            .classicExponentialUpperBounds(0.001, 2, 16)
            .register(registry);
    checkpointFailures =
        Counter.builder()
            .name("relreason_checkpoint_failures_total")
            .help("Checkpoints that could not be written (e.g. a full disk); training goes on")
            .register(registry);
    checkpointSize =
        Gauge.builder()
            .name("relreason_checkpoint_size_bytes")
            .unit(Unit.BYTES)
            .help("Size of the last checkpoint written")
            .register(registry);
    evalAccuracy =
        Gauge.builder()
            .name("relreason_eval_accuracy")
            .help("Top-1 accuracy of an evaluation of the backbone, by protocol and dataset")
            .labelNames("protocol", "dataset")
            .register(registry);
    // Every labelled series from the start: a scrape shows them at 0 before the first event.
    pairAccuracy.labelValues("positive");
    pairAccuracy.labelValues("negative");
    for (String p : PHASES) {
      phaseDuration.labelValues(p);
    }
    for (Rejection r : Rejection.values()) {
      rejected.labelValues(r.label());
    }
    for (WorkerLoss l : WorkerLoss.values()) {
      deaths.labelValues(l.label());
    }
  }

  /** Where the run is (for {@code /health/ready}). */
  public RunState state() {
    return state;
  }

  @Override
  public void onRunState(RunState s) {
    state = s;
    waitingForWorkers.set(s == RunState.WAITING ? 1 : 0);
  }

  @Override
  public void onWorkerJoined(WorkerInfo worker) {
    workersActive.inc();
  }

  @Override
  public void onWorkerLost(String worker, WorkerLoss cause) {
    workersActive.dec();
    deaths.labelValues(cause.label()).inc();
  }

  @Override
  public void onShardReassigned() {
    reassignments.inc();
  }

  @Override
  public void onRejected(Rejection reason) {
    rejected.labelValues(reason.label()).inc();
  }

  @Override
  public void onMessage(Traffic.Direction direction, Traffic.Kind kind, long n) {
    bytes.add(direction, kind, n);
  }

  @Override
  public void onStep(StepReport report, StepTimes times, int workers) {
    step(report);
    workersActive.set(workers);
    stepDuration.observe(times.total());
    times.phases().forEach((phase, s) -> phaseDuration.labelValues(phase).observe(s));
  }

  @Override
  public void onCheckpoint(Path file, double seconds, long size) {
    checkpointDuration.observe(seconds);
    checkpointSize.set(size);
  }

  @Override
  public void onCheckpointFailed(String reason) {
    checkpointFailures.inc();
  }

  /** Records one evaluation result (e.g. {@code linear}, {@code knn}, {@code random_linear}). */
  public void onEvaluation(String protocol, String dataset, double top1) {
    evalAccuracy.labelValues(protocol, dataset).set(top1);
  }

  private void step(StepReport r) {
    StepStats s = r.stats();
    loss.set(s.loss());
    pairAccuracy.labelValues("positive").set(s.positiveAccuracy());
    pairAccuracy.labelValues("negative").set(s.negativeAccuracy());
    steps.inc();
    version.set(r.globalStep());
    epoch.set(r.epoch());
    views.inc(viewsPerStep);
    viewsPerSecond.set(r.viewsPerSecond());
  }

  /**
   * A listener for the single-process trainer: the time between two reports is the step (all of it
   * the {@code compute} phase), the time from a report to the checkpoint that follows it is the
   * checkpoint's duration.
   */
  public TrainListener trainListener() {
    onRunState(RunState.RUNNING);
    return new TrainListener() {
      private long last = System.nanoTime();

      @Override
      public void onStep(StepReport report) {
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        last = now;
        step(report);
        stepDuration.observe(seconds);
        phaseDuration.labelValues("compute").observe(seconds);
      }

      @Override
      public void onCheckpoint(Path file) {
        long now = System.nanoTime();
        checkpointDuration.observe((now - last) / 1e9);
        last = now;
        try {
          checkpointSize.set(Files.size(file));
        } catch (IOException e) {
          // rotated away already: keep the last size
        }
      }

      @Override
      public void onEvaluation(String protocol, String dataset, double top1) {
        CoordinatorMetrics.this.onEvaluation(protocol, dataset, top1);
      }
    };
  }
}

package org.relreason.coordinator;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.relreason.coordinator.ResultCheck.Accepted;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.RunCursor;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.StepTimes;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The end of a step, once every shard is accepted: aggregate in shard order, step the method's
 * optimizer and pack the next parameters ({@link #aggregateAndStep}, plain Java, on the
 * coordinator's ordered executor), then on the event loop move the cursor, report the step to the
 * listener and observer, and checkpoint when due. Keeps the run's losses (and, for tests, its
 * gradients) for the {@link RunResult}.
 */
final class StepApplier {
  private static final Logger LOG = LoggerFactory.getLogger(StepApplier.class);
  private static final int FINAL_CHECKPOINT_TRIES = 5;

  /** What a step's blocking part produced; {@code seconds}: aggregate, optimizer, broadcast. */
  record Applied(float[] gradient, StepStats stats, ParameterSnapshot next, double[] seconds) {}

  private final CoordinatorOptions options;
  private final TrainConfig config;
  private final Vertx vertx;
  private final WorkerExecutor executor;
  private final PretrainModel model;
  private final GradientAggregator aggregator;
  private final ParameterStore parameters;
  private final Snapshots snapshots;
  private final NormBound.Recent norms;
  private final Checkpointer checkpoints;
  private final Position at;
  private final long total;
  private final Membership members;
  private final TrainListener listener;
  private final RunObserver observer;
  private final Runnable roundClosed;
  private final List<Double> losses = new ArrayList<>();
  private final List<float[]> gradients = new ArrayList<>();
  private boolean loopStarted;

  /**
   * @param roundClosed called once a step is applied, before its checkpoint
   */
  StepApplier(
      CoordinatorOptions options,
      TrainConfig config,
      Vertx vertx,
      WorkerExecutor executor,
      PretrainModel model,
      GradientAggregator aggregator,
      ParameterStore parameters,
      Snapshots snapshots,
      NormBound.Recent norms,
      Checkpointer checkpoints,
      Position at,
      long total,
      Membership members,
      TrainListener listener,
      RunObserver observer,
      Runnable roundClosed) {
    this.options = options;
    this.config = config;
    this.vertx = vertx;
    this.executor = executor;
    this.model = model;
    this.aggregator = aggregator;
    this.parameters = parameters;
    this.snapshots = snapshots;
    this.norms = norms;
    this.checkpoints = checkpoints;
    this.at = at;
    this.total = total;
    this.members = members;
    this.listener = listener;
    this.observer = observer;
    this.roundClosed = roundClosed;
  }

  /** Starts the throughput clock at the loop's first step (after a start or a resume). */
  void loopStarted() {
    if (!loopStarted) {
      loopStarted = true;
      at.run.begin(total);
    }
  }

  /** Every applied step's loss, in order. */
  List<Double> losses() {
    return losses;
  }

  /** Every applied step's aggregated gradient, if {@link CoordinatorOptions#recordGradients}. */
  List<float[]> gradients() {
    return gradients;
  }

  /**
   * Aggregates in shard order, steps the method's optimizer, publishes the new version. Fails with
   * {@link GradientAggregator.NonFiniteShards}, before anything changes, if a shard is not finite.
   */
  Future<Void> apply(StepRound st, List<Accepted> accepted) {
    return executor
        .executeBlocking(() -> aggregateAndStep(st, accepted), true)
        .compose(
            out -> {
              for (double[] n : st.norms) {
                norms.accept(n);
              }
              at.version++;
              RunCursor.Advance moved = at.run.advance(out.stats(), total);
              snapshots.publish(out.next());
              losses.add(out.stats().loss());
              if (options.recordGradients()) {
                gradients.add(out.gradient());
              }
              report(moved, st.times(out.seconds()));
              roundClosed.run();
              return checkpointIfDue();
            });
  }

  /**
   * The blocking part of {@link #apply}: the aggregated gradient (IMAGES: each shard weighted by
   * the method's loss terms, checked against each reply's pair_count; VIEWS: the backbone sum and
   * the objective's head gradient), the optimizer's step, and the next version's snapshot, packed
   * here, off the event loop, for the workers' next parameter pull.
   */
  Applied aggregateAndStep(StepRound st, List<Accepted> accepted) {
    long a0 = System.nanoTime();
    List<ShardGradient> grads = accepted.stream().map(Accepted::gradient).toList();
    float[] g;
    StepStats stats;
    if (options.mode() == ShardingMode.IMAGES) {
      long[] weights =
          st.shards.stream().mapToLong(s -> model.lossTerms(s.positions().length)).toArray();
      g = aggregator.weightedMean(grads, weights);
      stats = null;
      for (Accepted a : accepted) {
        StepStats s = statsOf(a.result());
        stats = stats == null ? s : stats.plus(s);
      }
    } else {
      int[] views = st.shards.stream().mapToInt(s -> s.rows().length).toArray();
      g = aggregator.backboneSum(grads, views, st.features.output.headGradient());
      stats = st.features.output.stats();
    }
    // finite: the aggregator refuses non-finite shards and results
    long a1 = System.nanoTime();
    parameters.step(g);
    long a2 = System.nanoTime();
    ParameterSnapshot next = snapshots.pack(st.step + 1, st.version + 1);
    long a3 = System.nanoTime();
    double[] seconds = {(a1 - a0) / 1e9, (a2 - a1) / 1e9, (a3 - a2) / 1e9};
    return new Applied(g, stats, next, seconds);
  }

  /** Tells the listener and the observer about the step just applied (and the epoch it closed). */
  private void report(RunCursor.Advance moved, StepTimes times) {
    StepReport r = moved.report();
    listener.onStep(r);
    listener.afterStep(r.globalStep(), parameters::copy);
    observer.onStep(r, times, members.size());
    if (moved.closedEpoch() != null) {
      listener.onEpochEnd(r.epoch(), moved.closedEpoch());
    }
  }

  /**
   * Writes a checkpoint when one is due, or when the last one failed. A failure (a full disk) is
   * logged and counted ({@code relreason_checkpoint_failures_total}) and training goes on; the
   * checkpoint is tried again after the next step, and the run's last one a few times, a second
   * apart.
   */
  private Future<Void> checkpointIfDue() {
    if (!checkpoints.due(at.step(), at.stepInEpoch(), total)) {
      return Future.succeededFuture();
    }
    return checkpoint(at.step() == total ? FINAL_CHECKPOINT_TRIES : 1);
  }

  private Future<Void> checkpoint(int tries) {
    Checkpoint c =
        new Checkpoint(
            config.asMap(),
            at.epoch(),
            at.stepInEpoch(),
            at.step(),
            parameters.copy(),
            parameters.optimizerState());
    long t0 = System.nanoTime();
    return executor
        .executeBlocking(() -> checkpoints.save(c), true)
        .onSuccess(
            p -> {
              checkpoints.saved();
              LOG.info("checkpoint {}", p);
              observer.onCheckpoint(p, (System.nanoTime() - t0) / 1e9, sizeOf(p));
            })
        .<Void>mapEmpty()
        .recover(
            e -> {
              checkpoints.failed();
              observer.onCheckpointFailed(String.valueOf(e.getMessage()));
              LOG.warn(
                  "checkpoint of step {} failed, training goes on{}: {}",
                  at.step(),
                  tries > 1 ? " (trying again in 1 s)" : " (trying again after the next step)",
                  e.getMessage());
              if (tries <= 1) {
                return Future.succeededFuture();
              }
              Promise<Void> later = Promise.promise();
              vertx.setTimer(1000, t -> checkpoint(tries - 1).onComplete(later));
              return later.future();
            });
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0; // removed by rotation in the meantime: the gauge keeps its last value
    }
  }

  private static StepStats statsOf(ShardResult r) {
    return new StepStats(
        r.getLossSum(),
        r.getPairCount(),
        r.getPositivePairs(),
        r.getPositiveCorrect(),
        r.getPairCount() - r.getPositivePairs(),
        r.getNegativeCorrect());
  }
}

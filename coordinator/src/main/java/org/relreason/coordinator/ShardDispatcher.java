package org.relreason.coordinator;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.relreason.coordinator.ResultCheck.Accepted;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardingMode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One step's shards, from the tasks to the accepted results: each shard goes to its worker with a
 * deadline on progress; a shard that fails, times out, is refused by {@link ResultCheck}, is a norm
 * outlier ({@link NormBound}) or is found non-finite while aggregated is recomputed by another live
 * worker in the same step, until every shard has an acceptable result or no worker is left.
 *
 * <p>It talks to the workers through a {@link WorkerGateway}, so it runs without a cluster in a
 * test. Called on the coordinator's event loop; only {@link Check#check} runs off it.
 */
final class ShardDispatcher {
  private static final Logger LOG = LoggerFactory.getLogger(ShardDispatcher.class);

  /** Decodes and checks a shard's reply ({@link ResultCheck#check}); runs off the event loop. */
  @FunctionalInterface
  interface Check {
    Accepted check(Object body, long step, long version, Shard shard);
  }

  /** A shard's result that passed the {@link Check}, with its {@link NormBound#norms}. */
  private record Checked(Accepted accepted, double[] norms) {}

  /** A shard attempt failed because its worker's node left the cluster. */
  static final class WorkerLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerLostException(String message) {
      super(message);
    }
  }

  /** How often a shard without a worker looks for one that registered. */
  static final long WAIT_POLL_MS = 250;

  private boolean waiting;

  private final CoordinatorOptions options;
  private final Membership members;
  private final Counters counters;
  private final RunObserver observer;
  private final Wire wire;
  private final WorkerGateway workers;
  private final Check check;
  private final NormBound.Recent norms;
  private final int viewsPerImage;
  private final Map<String, Set<Promise<Accepted>>> inFlight = new HashMap<>();

  /**
   * @param viewsPerImage the model's views per image (a shard's views, for the observer)
   */
  ShardDispatcher(
      CoordinatorOptions options,
      Membership members,
      Counters counters,
      RunObserver observer,
      Wire wire,
      WorkerGateway workers,
      Check check,
      NormBound.Recent norms,
      int viewsPerImage) {
    this.options = options;
    this.members = members;
    this.counters = counters;
    this.observer = observer;
    this.wire = wire;
    this.workers = workers;
    this.check = check;
    this.norms = norms;
    this.viewsPerImage = viewsPerImage;
  }

  /**
   * Sends every shard of {@code st} to a live member (shard {@code i} to the {@code i mod n}-th),
   * waits for all, and hands the accepted results, in shard order, to {@code apply}. If {@code
   * apply} fails with {@link GradientAggregator.NonFiniteShards}, those shards are recomputed
   * elsewhere and applied again.
   */
  Future<Void> run(StepRound st, Function<List<Accepted>, Future<Void>> apply) {
    List<String> live = members.live();
    List<Future<Accepted>> results = new ArrayList<>();
    for (Shard shard : st.shards) {
      String preferred = live.isEmpty() ? null : live.get(shard.id() % live.size());
      results.add(compute(st, shard, preferred, st.tried.get(shard.id())));
    }
    st.sent = System.nanoTime();
    return fanIn(st, results, apply);
  }

  /** Fails the shard attempts in flight on {@code worker} at once: its cluster node left. */
  void workerLost(String worker) {
    for (Promise<Accepted> p : List.copyOf(inFlight.getOrDefault(worker, Set.of()))) {
      p.tryFail(new WorkerLostException("worker '" + worker + "' left the cluster"));
    }
  }

  /**
   * Waits for every shard's result, then applies the step. The shards' gradients are checked for
   * NaN and infinity while they are summed (the one time they are read); shards found non-finite
   * there are refused, counted and recomputed by other workers, and the step aggregated again.
   */
  private Future<Void> fanIn(
      StepRound st, List<Future<Accepted>> results, Function<List<Accepted>, Future<Void>> apply) {
    return Future.join(results)
        .transform(
            ar -> {
              List<Accepted> accepted = new ArrayList<>();
              for (Future<Accepted> f : results) {
                if (f.failed()) {
                  return Future.failedFuture(f.cause());
                }
                accepted.add(f.result());
              }
              Map<Integer, ProtocolException> outliers = outliers(st);
              if (!outliers.isEmpty()) {
                return fanIn(st, recompute(st, results, outliers), apply);
              }
              return apply
                  .apply(accepted)
                  .recover(
                      e ->
                          e instanceof GradientAggregator.NonFiniteShards bad
                              ? fanIn(st, recompute(st, results, bad.refusals()), apply)
                              : Future.failedFuture(e));
            });
  }

  /**
   * The shards whose norms are outside the {@link NormBound}, with their refusals. A shard is not
   * refused when another worker computed the same gradient norm for it (the data's, not a peer's
   * doing: results are deterministic) or when no other worker is left to compute it.
   */
  private Map<Integer, ProtocolException> outliers(StepRound st) {
    Map<Integer, ProtocolException> out = new TreeMap<>();
    for (int s = 0; s < st.shards.size(); s++) {
      ProtocolException e = norms.check(st.step, st.norms[s]);
      if (e == null) {
        continue;
      }
      double g = st.norms[s][0];
      boolean reproduced =
          st.outlierNorms.get(s).stream().anyMatch(n -> Math.abs(n - g) <= 1e-9 * Math.abs(g));
      Set<String> tried = st.tried.get(s);
      String by = st.computedBy[s];
      boolean alone = !members.anotherThan(by, tried);
      if (reproduced || alone) {
        LOG.warn(
            "step {} shard {}: {}; applied, {}",
            st.step,
            s,
            e.getMessage(),
            reproduced ? "another worker computed the same" : "no other worker to recompute it");
        continue;
      }
      st.outlierNorms.get(s).add(g);
      out.put(s, e);
    }
    return out;
  }

  /** {@code results} with the refused shards' results replaced by new attempts elsewhere. */
  private List<Future<Accepted>> recompute(
      StepRound st, List<Future<Accepted>> results, Map<Integer, ProtocolException> refusals) {
    List<Future<Accepted>> again = new ArrayList<>(results);
    refusals.forEach(
        (s, e) -> {
          String worker = st.computedBy[s];
          counters.reject(e);
          LOG.warn("refused result of '{}': {}", worker, e.getMessage());
          st.tried.get(s).add(worker);
          counters.reassigned++;
          observer.onShardReassigned();
          again.set(s, compute(st, st.shards.get(s), null, st.tried.get(s)));
        });
    return again;
  }

  /** One shard, retried on other live workers until one returns an acceptable result. */
  private Future<Accepted> compute(StepRound st, Shard shard, String preferred, Set<String> tried) {
    return compute(st, shard, preferred, tried, -1);
  }

  /**
   * As above; {@code waitUntil} is the clock time (ms) until which the shard waits for a worker
   * when none is left, or -1 before it started waiting.
   */
  private Future<Accepted> compute(
      StepRound st, Shard shard, String preferred, Set<String> tried, long waitUntil) {
    String worker = members.pick(shard, preferred, tried);
    if (worker == null) {
      long now = System.currentTimeMillis();
      long until = waitUntil >= 0 ? waitUntil : now + options.workerWaitMs();
      if (now < until) {
        return awaitWorker(st, shard, tried, until);
      }
      return Future.failedFuture(
          new IllegalStateException(
              "step "
                  + st.step
                  + ": no live worker left for shard "
                  + shard.id()
                  + " (tried "
                  + tried
                  + (options.workerWaitMs() > 0
                      ? "; none registered within " + options.workerWaitMs() + " ms"
                      : "")
                  + ")"));
    }
    return attempt(st, shard, worker)
        .recover(
            e -> {
              tried.add(worker);
              if (e instanceof TimeoutException) {
                evict(worker, e.getMessage());
              }
              counters.reassigned++;
              observer.onShardReassigned();
              LOG.warn(
                  "step {} shard {} on '{}' failed ({}); recomputing elsewhere",
                  st.step,
                  shard.id(),
                  worker,
                  e.getMessage());
              return compute(st, shard, null, tried, waitUntil);
            });
  }

  /**
   * No live worker is left for {@code shard}: the run waits (state WAITING on the dashboard and in
   * {@code relreason_waiting_for_workers}) until a worker registers, admits it at once (not at the
   * next step boundary) and gives it the shard; every worker that registers again is tried afresh.
   * Past {@code until} the shard fails, and with it the step.
   */
  private Future<Accepted> awaitWorker(StepRound st, Shard shard, Set<String> tried, long until) {
    if (!waiting) {
      waiting = true;
      observer.onRunState(RunObserver.RunState.WAITING);
      LOG.warn(
          "step {}: no live worker left for shard {}; waiting up to {} ms for one to register",
          st.step,
          shard.id(),
          until - System.currentTimeMillis());
    }
    Promise<Accepted> p = Promise.promise();
    workers.after(
        WAIT_POLL_MS,
        () -> {
          members.admitJoining(System.currentTimeMillis());
          if (members.live().stream().anyMatch(w -> !tried.contains(w))) {
            resumed();
          } else if (!members.live().isEmpty()) {
            tried.clear(); // a worker that registered again may take the shard it failed before
            resumed();
          }
          compute(st, shard, null, tried, until).onComplete(p);
        });
    return p.future();
  }

  private void resumed() {
    if (waiting) {
      waiting = false;
      observer.onRunState(RunObserver.RunState.RUNNING);
      LOG.info("a worker registered: the step goes on");
    }
  }

  private Future<Accepted> attempt(StepRound st, Shard shard, String worker) {
    Promise<Accepted> promise = Promise.promise();
    Future<WorkerGateway.Reply> reply =
        workers.compute(st, shard, worker, options.deadlineMs() * 20);
    observer.onShardStarted(worker, st.step, shard.id());
    long sentAt = System.nanoTime();
    reply.onComplete(
        ar -> {
          if (ar.succeeded()) {
            wire.received(ar.result().body(), Kind.GRADIENTS); // late or not, it came in
          }
          if (promise.future().isComplete()) {
            counters.late(); // answered after its attempt timed out: ignored
            return;
          }
          if (ar.failed()) {
            promise.tryFail(ar.cause());
            return;
          }
          st.progress[shard.id()] = System.nanoTime();
          Object body;
          try {
            body = ar.result().body();
          } catch (ProtocolException e) { // an undecodable reply from another JVM
            refused(worker, e);
            promise.tryFail(e);
            return;
          }
          // Decoding and checking 21M floats (ResNet-34) takes long enough to stall the event
          // loop, so it runs off it.
          workers
              .offLoop(
                  () -> {
                    Accepted a =
                        requireFeatures(st, shard, check.check(body, st.step, st.version, shard));
                    return new Checked(a, NormBound.norms(a.gradient()));
                  })
              .onComplete(checked -> settle(st, shard, worker, sentAt, promise, checked));
        });
    inFlight.computeIfAbsent(worker, w -> new HashSet<>()).add(promise);
    promise
        .future()
        .onComplete(
            x ->
                inFlight.computeIfPresent(
                    worker, (w, s) -> s.remove(promise) && s.isEmpty() ? null : s));
    armDeadline(st, shard, worker, promise, System.nanoTime());
    return promise.future();
  }

  /** Completes an attempt with its checked result, unless it timed out or failed meanwhile. */
  private void settle(
      StepRound st,
      Shard shard,
      String worker,
      long sentAt,
      Promise<Accepted> promise,
      io.vertx.core.AsyncResult<Checked> checked) {
    if (promise.future().isComplete()) {
      counters.late(); // its attempt timed out or failed while decoding
    } else if (checked.succeeded()) {
      long now = System.nanoTime();
      st.firstDone = st.firstDone == 0 ? now : st.firstDone;
      st.lastDone = now;
      st.computedBy[shard.id()] = worker;
      st.norms[shard.id()] = checked.result().norms();
      observer.onShardDone(worker, st.step, viewsOf(shard), (now - sentAt) / 1e9);
      promise.tryComplete(checked.result().accepted());
    } else {
      if (checked.cause() instanceof ProtocolException e) {
        refused(worker, e);
      } else if (checked.cause() instanceof ResultCheck.WorkerAnsweredError) {
        counters.workerErrors++;
      }
      promise.tryFail(checked.cause());
    }
  }

  private void refused(String worker, ProtocolException e) {
    counters.reject(e);
    LOG.warn("refused result of '{}': {}", worker, e.getMessage());
  }

  /**
   * Fails the attempt if its shard made no progress for a deadline. In VIEWS mode a shard whose
   * features are in and that waits for other shards' features is not stalled. The timer is
   * cancelled when the attempt completes: a pending one would keep the step's round and its shards'
   * gradients reachable for a whole deadline (a minute by default: hundreds of steps of a small
   * model, or gigabytes of ResNet-34 gradients).
   */
  private void armDeadline(
      StepRound st, Shard shard, String worker, Promise<Accepted> p, long armedAt) {
    Runnable cancel = armDeadlineTimer(st, shard, worker, p, armedAt);
    p.future().onComplete(x -> cancel.run());
  }

  private Runnable armDeadlineTimer(
      StepRound st, Shard shard, String worker, Promise<Accepted> p, long armedAt) {
    return workers.after(
        options.deadlineMs(),
        () -> {
          if (p.future().isComplete()) {
            return;
          }
          FeatureRound r = st.features;
          boolean waiting = r != null && r.in[shard.id()] && r.output == null;
          if (st.progress[shard.id()] > armedAt || waiting) {
            armDeadline(st, shard, worker, p, System.nanoTime());
          } else {
            counters.timeouts++;
            p.tryFail(
                new TimeoutException(
                    "worker '"
                        + worker
                        + "' made no progress on step "
                        + st.step
                        + " shard "
                        + shard.id()
                        + " within "
                        + options.deadlineMs()
                        + " ms"));
          }
        });
  }

  private void evict(String worker, String why) {
    if (members.remove(worker)) {
      counters.death(Rejections.DEADLINE);
      observer.onWorkerLost(worker, RunObserver.WorkerLoss.DEADLINE);
      LOG.warn("evicted worker '{}': {}", worker, why);
    }
  }

  /**
   * {@code a}, if its shard's features are in (VIEWS mode; always in IMAGES mode): a backbone
   * gradient is the answer to the feature gradients of its own features, so a result that comes
   * before them cannot be right (and has no objective output to be summed with).
   */
  private static Accepted requireFeatures(StepRound st, Shard shard, Accepted a) {
    if (st.features != null && !st.features.in[shard.id()]) {
      throw new ProtocolException(
          Error.Code.WRONG_SHAPE,
          ShardResult.getDescriptor().getFullName(),
          "VIEWS result for shard " + shard.id() + " of step " + st.step + " before its features");
    }
    return a;
  }

  private int viewsOf(Shard shard) {
    return options.mode() == ShardingMode.IMAGES
        ? shard.positions().length * viewsPerImage
        : shard.rows().length;
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import org.relreason.coordinator.ResultCheck.Accepted;
import org.relreason.observe.RunObserver;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardingMode;

/**
 * The shard dispatch without a cluster: a fake {@link WorkerGateway} answers for each worker, runs
 * the checks in place and holds the deadline timers until the test fires them. What a real bug
 * would break: a refused or stalled shard must be recomputed on another worker in the same step,
 * counted once, and only a stalled worker evicted.
 */
class ShardDispatcherTest {
  private static final List<Shard> SHARDS = ShardPlanner.plan(ShardingMode.IMAGES, 4, 2, 2);
  private static final String REFUSED = "refused";
  private static final String SILENT = "silent";

  /** Workers that answer with their scripted reply ({@link #SILENT}: never), timers held. */
  private static final class FakeWorkers implements WorkerGateway {
    final Map<String, String> replies = new HashMap<>();
    final Map<String, Promise<Reply>> pending = new HashMap<>();
    final List<String> sentTo = new ArrayList<>();
    final List<Runnable> timers = new ArrayList<>();

    @Override
    public Future<Reply> compute(StepRound st, Shard shard, String worker, long timeoutMs) {
      sentTo.add(worker + ":" + shard.id());
      String body = replies.getOrDefault(worker, worker);
      Promise<Reply> p = Promise.promise();
      if (body.equals(SILENT)) {
        pending.put(worker, p);
      } else {
        p.complete(() -> body);
      }
      return p.future();
    }

    @Override
    public <T> Future<T> offLoop(Callable<T> work) {
      try {
        return Future.succeededFuture(work.call());
      } catch (Exception e) {
        return Future.failedFuture(e);
      }
    }

    @Override
    public Runnable after(long delayMs, Runnable action) {
      timers.add(action);
      return () -> timers.remove(action);
    }

    /** Fires the deadlines armed so far (those they re-arm wait for the next call). */
    void fireTimers() {
      List<Runnable> due = List.copyOf(timers);
      timers.clear();
      due.forEach(Runnable::run);
    }
  }

  private final Membership members = new Membership();
  private final Counters counters = new Counters();
  private final FakeWorkers workers = new FakeWorkers();
  private final List<List<String>> applied = new ArrayList<>();

  private ShardDispatcher dispatcher() {
    return dispatcher(0, RunObserver.NONE);
  }

  private ShardDispatcher dispatcher(long workerWaitMs, RunObserver observer) {
    members.register("a", null, false, 0);
    members.register("b", null, false, 0);
    CoordinatorOptions options =
        CoordinatorOptions.of("run", 2, ShardingMode.IMAGES)
            .withDeadlineMs(1000)
            .withWorkerWaitMs(workerWaitMs);
    return new ShardDispatcher(
        options,
        members,
        counters,
        observer,
        new Wire(
            "run", new Position(new org.relreason.model.train.RunCursor(1, 1)), RunObserver.NONE),
        workers,
        ShardDispatcherTest::check,
        NormBound.OFF.recent(),
        2);
  }

  /** Accepts a reply whose body names its worker; refuses {@link #REFUSED} as stale. */
  private static Accepted check(Object body, long step, long version, Shard shard) {
    if (body.equals(REFUSED)) {
      throw new ProtocolException(
          Error.Code.STALE, ShardResult.getDescriptor().getFullName(), "for another step");
    }
    ShardResult r =
        ShardResult.newBuilder().setShardId(shard.id()).setLossSum(body.hashCode()).build();
    return new Accepted(r, ShardGradient.of(new float[] {1, 2, 3}, new int[] {0}));
  }

  private Future<Void> record(StepRound st, List<Accepted> accepted) {
    applied.add(List.of(st.computedBy));
    return Future.succeededFuture();
  }

  private static StepRound step() {
    return new StepRound(3, 7, 0, new int[] {10, 11, 12, 13}, SHARDS, null);
  }

  @Test
  void aRefusedShardIsRecomputedOnTheOtherWorkerInTheSameStep() {
    workers.replies.put("a", REFUSED);
    StepRound st = step();

    Future<Void> done = dispatcher().run(st, accepted -> record(st, accepted));

    assertThat(done.succeeded()).isTrue();
    // shard 0 went to a (refused), then to b; shard 1 went to b
    assertThat(workers.sentTo).containsExactly("a:0", "b:0", "b:1");
    assertThat(applied).containsExactly(List.of("b", "b"));
    assertThat(st.tried.get(0)).containsExactly("a");
    assertThat(counters.reassigned).isEqualTo(1);
    assertThat(counters.rejections.rejected()).containsEntry(Rejections.STALE, 1L);
    // a refusal is the message's fault, not a lost worker: a stays a member
    assertThat(members.live()).containsExactly("a", "b");
    assertThat(counters.snapshot().evicted()).isZero();
  }

  /**
   * A finished shard cancels its deadline: a pending timer keeps the step's round and its gradients
   * reachable (a 30-minute soak grew the coordinator's live heap by 290 MB of them).
   */
  @Test
  void aFinishedStepLeavesNoDeadlineTimerBehind() {
    StepRound st = step();

    Future<Void> done = dispatcher().run(st, accepted -> record(st, accepted));

    assertThat(done.succeeded()).isTrue();
    assertThat(workers.timers).as("deadline timers still pending after the step").isEmpty();
  }

  /** So does an attempt that timed out, once its shard was recomputed elsewhere. */
  @Test
  void aStepWithATimedOutShardLeavesNoDeadlineTimerBehind() {
    workers.replies.put("a", SILENT);
    StepRound st = step();

    Future<Void> done = dispatcher().run(st, accepted -> record(st, accepted));
    workers.fireTimers();

    assertThat(done.succeeded()).isTrue();
    assertThat(workers.timers).isEmpty();
  }

  @Test
  void aStalledWorkerIsEvictedAtItsDeadlineAndItsLateAnswerIgnored() {
    workers.replies.put("a", SILENT);
    StepRound st = step();

    Future<Void> done = dispatcher().run(st, accepted -> record(st, accepted));
    assertThat(done.isComplete()).isFalse(); // shard 0 waits for a
    workers.fireTimers();

    assertThat(done.succeeded()).isTrue();
    assertThat(workers.sentTo).containsExactly("a:0", "b:1", "b:0");
    assertThat(applied).containsExactly(List.of("b", "b"));
    assertThat(counters.timeouts).isEqualTo(1);
    assertThat(counters.reassigned).isEqualTo(1);
    assertThat(counters.rejections.deaths()).containsEntry(Rejections.DEADLINE, 1L);
    assertThat(members.live()).containsExactly("b");

    workers.pending.get("a").complete(() -> "a"); // after its deadline: counted late, not applied
    assertThat(counters.rejections.rejected()).containsEntry(Rejections.LATE, 1L);
    assertThat(applied).hasSize(1);
  }

  @Test
  void progressReArmsTheDeadlineInsteadOfFailingTheShard() {
    workers.replies.put("a", SILENT);
    StepRound st = step();

    Future<Void> done = dispatcher().run(st, accepted -> record(st, accepted));
    st.progress[0] = System.nanoTime() + 1; // the worker was heard from after the deadline armed
    workers.fireTimers();

    assertThat(done.isComplete()).isFalse();
    assertThat(counters.timeouts).isZero();
    assertThat(members.live()).containsExactly("a", "b");
    workers.pending.get("a").complete(() -> "a");
    assertThat(done.succeeded()).isTrue();
    assertThat(applied).containsExactly(List.of("a", "b"));
  }

  @Test
  void shardsFoundNonFiniteWhileAggregatedAreRecomputedAndTheStepAppliedAgain() {
    StepRound st = step();
    ProtocolException nan =
        new ProtocolException(Error.Code.NON_FINITE, "ShardResult", "gradient[0] is NaN");

    Future<Void> done =
        dispatcher()
            .run(
                st,
                accepted -> {
                  record(st, accepted);
                  return applied.size() == 1
                      ? Future.failedFuture(new GradientAggregator.NonFiniteShards(Map.of(1, nan)))
                      : Future.succeededFuture();
                });

    assertThat(done.succeeded()).isTrue();
    assertThat(workers.sentTo).containsExactly("a:0", "b:1", "a:1");
    assertThat(applied).containsExactly(List.of("a", "b"), List.of("a", "a"));
    assertThat(counters.rejections.rejected()).containsEntry(Rejections.NON_FINITE, 1L);
    assertThat(counters.reassigned).isEqualTo(1);
  }

  @Test
  void theStepFailsWhenNoWorkerIsLeftForAShard() {
    workers.replies.put("a", REFUSED);
    workers.replies.put("b", REFUSED);
    StepRound st = step();

    Future<Void> done = dispatcher().run(st, accepted -> record(st, accepted));

    assertThat(done.failed()).isTrue();
    assertThat(done.cause()).hasMessageContaining("no live worker left for shard");
    assertThat(applied).isEmpty();
  }

  @Test
  void theAttemptsOfAWorkerWhoseNodeLeftFailAtOnce() {
    workers.replies.put("a", SILENT);
    StepRound st = step();
    ShardDispatcher d = dispatcher();

    Future<Void> done = d.run(st, accepted -> record(st, accepted));
    d.workerLost("a");

    assertThat(done.succeeded()).isTrue(); // no deadline fired: recomputed on b at once
    assertThat(counters.timeouts).isZero();
    assertThat(workers.timers).as("the failed attempt's deadline was cancelled").isEmpty();
    assertThat(applied).containsExactly(List.of("b", "b"));
  }

  /** Both workers' nodes leave mid-step: the shards fail over to no one and the step waits. */
  private static void loseBoth(Membership members, ShardDispatcher d) {
    for (String w : List.of("a", "b")) {
      members.remove(w);
      d.workerLost(w);
    }
  }

  @Test
  void withAWaitALostClusterWaitsAndAWorkerThatRegistersTakesOverTheStepsShards() {
    workers.replies.put("a", SILENT);
    workers.replies.put("b", SILENT);
    List<RunObserver.RunState> states = new ArrayList<>();
    RunObserver watching =
        new RunObserver() {
          @Override
          public void onRunState(RunState s) {
            states.add(s);
          }
        };
    StepRound st = step();
    ShardDispatcher d = dispatcher(60_000, watching);

    Future<Void> done = d.run(st, accepted -> record(st, accepted));
    loseBoth(members, d);
    workers.fireTimers(); // nobody registered yet: the shards keep waiting
    assertThat(done.isComplete()).isFalse();
    assertThat(states).containsExactly(RunObserver.RunState.WAITING);

    members.register("c", null, true, System.currentTimeMillis()); // joins while the step runs
    workers.fireTimers();

    assertThat(done.succeeded()).isTrue();
    assertThat(applied).containsExactly(List.of("c", "c")); // both shards, on the newcomer
    assertThat(members.live()).containsExactly("c");
    assertThat(states).containsExactly(RunObserver.RunState.WAITING, RunObserver.RunState.RUNNING);
  }

  @Test
  void aWorkerThatRegistersAgainUnderItsOldIdMayTakeTheShardItFailedBefore() {
    workers.replies.put("a", SILENT);
    workers.replies.put("b", SILENT);
    StepRound st = step();
    ShardDispatcher d = dispatcher(60_000, RunObserver.NONE);

    Future<Void> done = d.run(st, accepted -> record(st, accepted));
    loseBoth(members, d);
    workers.replies.remove("a"); // the restarted JVM answers
    members.register("a", null, true, System.currentTimeMillis());
    workers.fireTimers();

    assertThat(done.succeeded()).isTrue();
    assertThat(applied).containsExactly(List.of("a", "a"));
  }

  @Test
  void withAWaitTheStepFailsWhenNoWorkerRegistersInTime() throws InterruptedException {
    workers.replies.put("a", SILENT);
    workers.replies.put("b", SILENT);
    StepRound st = step();
    ShardDispatcher d = dispatcher(30, RunObserver.NONE);

    Future<Void> done = d.run(st, accepted -> record(st, accepted));
    loseBoth(members, d);
    for (int i = 0; i < 1000 && !done.isComplete(); i++) {
      Thread.sleep(2);
      workers.fireTimers();
    }

    assertThat(done.failed()).isTrue();
    assertThat(done.cause())
        .hasMessageContaining("no live worker left for shard")
        .hasMessageContaining("none registered within 30 ms");
    assertThat(applied).isEmpty();
  }
}

package org.relreason.coordinator;

import io.vertx.core.Future;
import java.util.concurrent.Callable;

/**
 * What the coordinator's shard dispatch may ask of the workers and of the machine around it (STYLE
 * item 6): send a worker its shard's task, run a result's decoding off the event loop, wait. On the
 * event bus in a run ({@link EventBusWorkers}); a fake in {@code ShardDispatcherTest}, which then
 * needs no cluster.
 */
interface WorkerGateway {
  /**
   * A reply's body, read when asked: a body from another JVM is decoded on the first read, which
   * may throw {@link org.relreason.protocol.ProtocolException}.
   */
  interface Reply {
    Object body();
  }

  /**
   * Sends {@code worker} the task of {@code shard} of step {@code st}; completes with its reply, or
   * fails if none comes within {@code timeoutMs} or none can be delivered.
   */
  Future<Reply> compute(StepRound st, Shard shard, String worker, long timeoutMs);

  /** Runs {@code work} off the event loop, unordered (several shards decode at once). */
  <T> Future<T> offLoop(Callable<T> work);

  /**
   * Runs {@code action} on the event loop after {@code delayMs}; running the returned handle
   * cancels it (a pending timer keeps what its action refers to reachable).
   */
  Runnable after(long delayMs, Runnable action);
}

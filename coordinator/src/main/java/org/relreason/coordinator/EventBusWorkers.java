package org.relreason.coordinator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.concurrent.Callable;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.v1.ShardTask;

/**
 * The {@link WorkerGateway} of a run: a shard's task is a request to the worker's task address
 * (counted in the message-byte metric), a result is decoded on Vert.x's worker pool, a deadline is
 * a timer. Called on the coordinator's event loop, so replies and timers come back to it.
 */
final class EventBusWorkers implements WorkerGateway {
  private final Vertx vertx;
  private final Tasks tasks;
  private final Wire wire;

  EventBusWorkers(Vertx vertx, Tasks tasks, Wire wire) {
    this.vertx = vertx;
    this.tasks = tasks;
    this.wire = wire;
  }

  @Override
  public Future<Reply> compute(StepRound st, Shard shard, String worker, long timeoutMs) {
    ShardTask task = tasks.task(st, shard, worker);
    wire.sent(task, Kind.TASK);
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(timeoutMs);
    return vertx.eventBus().request(Addresses.workerTask(worker), task, delivery).map(m -> m::body);
  }

  @Override
  public <T> Future<T> offLoop(Callable<T> work) {
    return vertx.executeBlocking(work, false);
  }

  @Override
  public Runnable after(long delayMs, Runnable action) {
    long id = vertx.setTimer(delayMs, t -> action.run());
    return () -> vertx.cancelTimer(id);
  }
}

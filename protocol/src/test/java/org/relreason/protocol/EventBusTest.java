package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.junit5.Checkpoint;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;

/** A real (local, non-clustered) Vert.x event bus carrying protocol messages via the codecs. */
@ExtendWith(VertxExtension.class)
class EventBusTest {
  private static final String WORKER = "worker-0";

  @BeforeEach
  void registerCodecs(Vertx vertx) {
    Codecs.registerAll(vertx);
  }

  @Test
  void shardTaskGoesOutAndShardResultComesBack(Vertx vertx, VertxTestContext testContext) {
    ShardTask task = GoldenMessages.shardTask();
    Checkpoint taskHandled = testContext.checkpoint();
    Checkpoint resultReceived = testContext.checkpoint();
    MessageConsumer<ShardTask> worker =
        vertx
            .eventBus()
            .consumer(
                Addresses.workerTask(WORKER),
                message -> {
                  testContext.verify(
                      () -> {
                        // Local delivery goes through transform(): the same immutable instance.
                        assertThat(message.body()).isSameAs(task);
                        Validation.check(message.body(), GoldenMessages.RUN_ID);
                      });
                  taskHandled.flag();
                  message.reply(resultFor(message.body()));
                });
    worker
        .completion()
        .compose(registered -> vertx.eventBus().<ShardResult>request(worker.address(), task))
        .onComplete(
            testContext.succeeding(
                reply ->
                    testContext.verify(
                        () -> {
                          ShardResult result = reply.body();
                          assertThat(result.getShardId()).isEqualTo(task.getShardId());
                          assertThat(result.getHeader().getStep())
                              .isEqualTo(task.getHeader().getStep());
                          assertThat(result.getImageCount()).isEqualTo(task.getImageIndicesCount());
                          resultReceived.flag();
                        })));
  }

  @Test
  void codecsAreRegisteredOnlyOnce(Vertx vertx) {
    assertThatThrownBy(() -> Codecs.registerAll(vertx)).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void refusalTravelsAsATypedError(Vertx vertx, VertxTestContext testContext) {
    ShardTask stale =
        GoldenMessages.shardTask().toBuilder()
            .setHeader(GoldenMessages.header("coordinator", 5, 5))
            .build();
    MessageConsumer<ShardTask> worker =
        vertx
            .eventBus()
            .consumer(
                Addresses.workerTask(WORKER),
                message -> {
                  try {
                    Validation.requireFresh(
                        message.body().getHeader(), 17, 0, "relreason.v1.ShardTask");
                    message.reply(resultFor(message.body()));
                  } catch (ProtocolException e) {
                    message.reply(e.toError(GoldenMessages.header(WORKER, 17, 17)));
                  }
                });
    worker
        .completion()
        .compose(registered -> vertx.eventBus().<Error>request(worker.address(), stale))
        .onComplete(
            testContext.succeeding(
                reply ->
                    testContext.verify(
                        () -> {
                          assertThat(reply.body().getCode()).isEqualTo(Error.Code.STALE);
                          assertThat(reply.body().getMessageType())
                              .isEqualTo("relreason.v1.ShardTask");
                          testContext.completeNow();
                        })));
  }

  private static ShardResult resultFor(ShardTask task) {
    return GoldenMessages.shardResult().toBuilder()
        .setHeader(GoldenMessages.header(WORKER, task.getHeader().getStep(), 17))
        .setShardId(task.getShardId())
        .setImageCount(task.getImageIndicesCount())
        .build();
  }
}

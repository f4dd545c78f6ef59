package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/**
 * The worker role retries a failed deployment with a new verticle ({@code ClusterMain worker
 * --register-attempts}): a verticle whose registration failed must leave nothing behind, or the
 * next attempt's task address would have two consumers and every other task would go to a verticle
 * that never registered.
 */
class WorkerRetryTest {
  private static final TrainConfig CONFIG = Reference.tinyConfig(2);

  @Test
  void aWorkerWhoseRegistrationFailedLeavesNoConsumerAndTheNextAttemptRunsAlone() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx);
      for (int attempt = 0; attempt < 3; attempt++) {
        WorkerVerticle w =
            new WorkerVerticle(
                WorkerOptions.of("w0"), CONFIG, Reference.tinyImages(), Reference.NORM);
        assertThatThrownBy(() -> vertx.deployVerticle(w).await())
            .as("no coordinator: registration fails")
            .isInstanceOf(ReplyException.class);
      }
      assertThat(vertx.deploymentIDs()).isEmpty();
      assertThatThrownBy(
              () ->
                  vertx
                      .eventBus()
                      .request(Addresses.workerTask("w0"), ShardTask.getDefaultInstance())
                      .await())
          .as("no consumer left on the task address by the failed attempts")
          .isInstanceOfSatisfying(
              ReplyException.class,
              e -> assertThat(e.failureType()).isEqualTo(ReplyFailure.NO_HANDLERS));

      CoordinatorVerticle c =
          new CoordinatorVerticle(
              CoordinatorOptions.of(UUID.randomUUID().toString(), 1, ShardingMode.IMAGES),
              CONFIG,
              Reference.tinyImages());
      vertx.deployVerticle(c).await();
      vertx
          .deployVerticle(
              new WorkerVerticle(
                  WorkerOptions.of("w0"), CONFIG, Reference.tinyImages(), Reference.NORM))
          .await();
      RunResult run = c.result().await();
      assertThat(run.steps()).isEqualTo(2);
      assertThat(run.faults().workerErrors()).isZero();
    } finally {
      vertx.close().await();
    }
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/**
 * Bad messages sent to a running coordinator: each is refused with its reason counted under the
 * metric's reason string, nothing of it is applied (the parameters equal the clean run's), and the
 * run completes.
 */
@ExtendWith(VertxExtension.class)
class BadMessageTest {
  private static final int STEPS = 2;
  private static final long DEADLINE_MS = 3000;
  private static final TrainConfig CONFIG = Reference.tinyConfig(STEPS);
  private static final ImageSet SET = Reference.tinyImages();
  private static float[] clean;

  @BeforeAll
  static void cleanRun() {
    try (Reference r = new Reference(CONFIG, SET)) {
      r.train(STEPS, ShardingMode.IMAGES, 2);
      clean = r.model.paramsVector();
    }
  }

  private static CoordinatorVerticle start(Vertx vertx, int workers) {
    Codecs.registerAll(vertx);
    CoordinatorVerticle c =
        new CoordinatorVerticle(
            CoordinatorOptions.of(UUID.randomUUID().toString(), workers, ShardingMode.IMAGES)
                .withDeadlineMs(DEADLINE_MS),
            CONFIG,
            SET);
    vertx.deployVerticle(c).await();
    return c;
  }

  /** A worker answering every task with one kind of bad result, next to one real worker. */
  @ParameterizedTest
  @CsvSource({
    "GARBAGE, malformed",
    "OVERSIZE, oversize",
    "WRONG_VERSION, protocol_version",
    "WRONG_RUN, config_hash",
    "WRONG_SHAPE, shape",
    "NAN, non_finite",
    "STALE, stale"
  })
  void badShardResultIsRejectedCountedAndNotApplied(String kind, String reason, Vertx vertx) {
    CoordinatorVerticle c = start(vertx, 2);
    vertx
        .deployVerticle(new WorkerVerticle(WorkerOptions.of("w0"), CONFIG, SET, Reference.NORM))
        .await();
    vertx
        .deployVerticle(new RogueWorker("x-rogue", RogueWorker.Kind.valueOf(kind), CONFIG, SET, 0))
        .await();
    RunResult r = c.result().await();
    assertThat(r.steps()).isEqualTo(STEPS);
    assertThat(r.faults().rejected(reason)).as("rejected for " + reason).isEqualTo(STEPS);
    assertThat(r.faults().rejected().keySet()).as("no other reason").containsExactly(reason);
    assertThat(r.faults().reassigned()).isEqualTo(STEPS);
    assertThat(r.finalParams()).as("nothing of it applied").containsExactly(clean);
  }

  /** Garbage bytes to every address the coordinator listens on: MALFORMED replies, counted. */
  @Test
  void garbageToEveryCoordinatorAddressIsAnsweredMalformedAndCounted(
      Vertx vertx, VertxTestContext ctx) {
    CoordinatorVerticle c = start(vertx, 1);
    List<String> addresses =
        List.of(
            Addresses.COORDINATOR_REGISTER,
            Addresses.COORDINATOR_PARAMS,
            Addresses.COORDINATOR_FEATURES,
            Addresses.HEARTBEAT);
    for (String address : addresses) {
      Object reply =
          vertx.eventBus().request(address, Buffer.buffer(new byte[] {1, 2, 3})).await().body();
      assertThat(reply).as(address).isInstanceOf(Error.class);
      assertThat(((Error) reply).getCode()).as(address).isEqualTo(Error.Code.MALFORMED);
    }
    assertThat(c.faults().rejected(Rejections.MALFORMED)).isEqualTo(addresses.size());
    // and the coordinator still trains
    vertx
        .deployVerticle(new WorkerVerticle(WorkerOptions.of("w0"), CONFIG, SET, Reference.NORM))
        .await();
    RunResult r = c.result().await();
    assertThat(r.steps()).isEqualTo(STEPS);
    try (Reference ref = new Reference(CONFIG, SET)) {
      ref.train(STEPS, ShardingMode.IMAGES, 1);
      assertThat(r.finalParams()).containsExactly(ref.model.paramsVector());
    }
    ctx.completeNow();
  }

  /**
   * A peer guessing the run id learns nothing from the refusal: it used to carry the real run id in
   * its header (and its text), so the second request, with that id, got the parameters.
   */
  @Test
  void refusalsDoNotTellTheRunIdToASenderThatDidNotKnowIt(Vertx vertx) {
    Codecs.registerAll(vertx);
    String runId = UUID.randomUUID().toString();
    CoordinatorVerticle c =
        new CoordinatorVerticle(CoordinatorOptions.of(runId, 1, ShardingMode.IMAGES), CONFIG, SET);
    vertx.deployVerticle(c).await();
    Object params =
        vertx
            .eventBus()
            .request(
                Addresses.COORDINATOR_PARAMS,
                org.relreason.protocol.v1.ParameterRequest.newBuilder()
                    .setHeader(org.relreason.protocol.Headers.of("guess", 0, 0, "peer"))
                    .setWorkerId("peer")
                    .build())
            .await()
            .body();
    Object heartbeat =
        vertx
            .eventBus()
            .request(
                Addresses.HEARTBEAT,
                org.relreason.protocol.v1.Heartbeat.newBuilder()
                    .setHeader(org.relreason.protocol.Headers.of("guess", 0, 0, "peer"))
                    .setWorkerId("peer")
                    .build())
            .await()
            .body();
    for (Object reply : new Object[] {params, heartbeat}) {
      assertThat(reply).isInstanceOf(Error.class);
      assertThat(reply.toString()).as("the refusal, whole").doesNotContain(runId);
    }
    assertThat(((Error) params).getCode()).isEqualTo(Error.Code.WRONG_MODEL_CONFIG);
    assertThat(c.faults().rejected(Rejections.CONFIG_HASH)).isEqualTo(1);
  }
}

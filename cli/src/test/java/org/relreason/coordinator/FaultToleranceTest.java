package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Deployable;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.Headers;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/**
 * Embedded-mode faults: a worker that never answers, answers late, answers for another step, sends
 * NaN, or is undeployed mid-step; duplicated features; refused registrations. Whatever happens, the
 * parameters must equal those of the uninterrupted single-process shard plan.
 */
@ExtendWith(VertxExtension.class)
class FaultToleranceTest {
  private static final int STEPS = 3;
  private static final long DEADLINE_MS = 1500;
  private static final TrainConfig CONFIG = Reference.tinyConfig(STEPS);
  private static final ImageSet SET = Reference.tinyImages();
  private static final Map<String, float[]> CLEAN = new HashMap<>();

  @BeforeAll
  static void cleanRuns() {
    for (ShardingMode mode : new ShardingMode[] {ShardingMode.IMAGES, ShardingMode.VIEWS}) {
      for (int w : new int[] {2, 3}) {
        try (Reference r = new Reference(CONFIG, SET)) {
          r.train(STEPS, mode, w);
          CLEAN.put(mode + "/" + w, r.model.paramsVector());
        }
      }
    }
  }

  private static CoordinatorOptions options(int workers, ShardingMode mode) {
    return CoordinatorOptions.of(UUID.randomUUID().toString(), workers, mode)
        .withDeadlineMs(DEADLINE_MS);
  }

  /**
   * Deploys a coordinator, real workers w0..w(n-1) and extra verticles; returns the coordinator.
   */
  private static CoordinatorVerticle start(
      Vertx vertx, CoordinatorOptions options, int real, List<Deployable> extra, List<String> ids) {
    Codecs.registerAll(vertx);
    CoordinatorVerticle coordinator = new CoordinatorVerticle(options, CONFIG, SET);
    vertx.deployVerticle(coordinator).await();
    for (int w = 0; w < real; w++) {
      ids.add(
          vertx
              .deployVerticle(
                  new WorkerVerticle(WorkerOptions.of("w" + w), CONFIG, SET, Reference.NORM))
              .await());
    }
    for (Deployable d : extra) {
      ids.add(vertx.deployVerticle(d).await());
    }
    return coordinator;
  }

  private static RunResult runWithRogue(Vertx vertx, RogueWorker.Kind kind) {
    RogueWorker rogue = new RogueWorker("x-rogue", kind, CONFIG, SET, DEADLINE_MS + 500);
    CoordinatorVerticle c =
        start(vertx, options(2, ShardingMode.IMAGES), 1, List.of(rogue), new ArrayList<>());
    RunResult result = c.result().await();
    assertThat(result.finalParams())
        .as("parameters equal the uninterrupted run")
        .containsExactly(CLEAN.get("IMAGES/2"));
    return result;
  }

  @Test
  void silentWorkersShardIsRecomputedByTheSurvivorInTheSameStep(Vertx vertx, VertxTestContext ctx) {
    RunResult r = runWithRogue(vertx, RogueWorker.Kind.SILENT);
    assertThat(r.steps()).isEqualTo(STEPS);
    assertThat(r.faults().timeouts()).isEqualTo(1);
    assertThat(r.faults().reassigned()).isEqualTo(1);
    assertThat(r.faults().evicted()).isEqualTo(1);
    ctx.completeNow();
  }

  @Test
  void nanGradientIsRejectedCountedAndNeverApplied(Vertx vertx, VertxTestContext ctx) {
    RunResult r = runWithRogue(vertx, RogueWorker.Kind.NAN);
    // the rogue stays a member (it answers), so it sends NaN at every step and is bypassed each
    // time
    assertThat(r.faults().nonFinite()).isEqualTo(STEPS);
    assertThat(r.faults().reassigned()).isEqualTo(STEPS);
    ctx.completeNow();
  }

  @Test
  void resultForAnotherStepIsIgnored(Vertx vertx, VertxTestContext ctx) {
    RunResult r = runWithRogue(vertx, RogueWorker.Kind.STALE);
    assertThat(r.faults().stale()).isEqualTo(STEPS);
    ctx.completeNow();
  }

  @Test
  void lateReplyAfterTheDeadlineIsIgnored(Vertx vertx, VertxTestContext ctx) throws Exception {
    RogueWorker rogue =
        new RogueWorker("x-rogue", RogueWorker.Kind.LATE, CONFIG, SET, DEADLINE_MS + 300);
    CoordinatorVerticle c =
        start(vertx, options(2, ShardingMode.IMAGES), 1, List.of(rogue), new ArrayList<>());
    RunResult result = c.result().await();
    assertThat(result.finalParams()).containsExactly(CLEAN.get("IMAGES/2"));
    long until = System.currentTimeMillis() + 5000;
    while (c.faults().late() == 0 && System.currentTimeMillis() < until) {
      Thread.sleep(50);
    }
    assertThat(c.faults().late()).as("the late reply arrived and was ignored").isEqualTo(1);
    assertThat(c.faults().timeouts()).isEqualTo(1);
    ctx.completeNow();
  }

  @Test
  void workerUndeployedMidStepIsReplacedAndTheRunMatches(Vertx vertx, VertxTestContext ctx) {
    List<String> ids = new ArrayList<>();
    AtomicBoolean fired = new AtomicBoolean();
    vertx
        .eventBus()
        .addOutboundInterceptor(
            dc -> {
              dc.next();
              if (dc.message().address().equals(Addresses.workerTask("w1"))
                  && dc.body() instanceof ShardTask t
                  && t.getHeader().getStep() == 1
                  && fired.compareAndSet(false, true)) {
                vertx.undeploy(ids.get(1));
              }
            });
    CoordinatorVerticle c = start(vertx, options(3, ShardingMode.IMAGES), 3, List.of(), ids);
    RunResult r = c.result().await();
    assertThat(fired).isTrue();
    assertThat(r.steps()).isEqualTo(STEPS);
    assertThat(r.faults().reassigned()).isGreaterThanOrEqualTo(1);
    assertThat(r.finalParams()).containsExactly(CLEAN.get("IMAGES/3"));
    ctx.completeNow();
  }

  @Test
  void viewsModeWorkerUndeployedMidStepIsReplacedAndTheRunMatches(
      Vertx vertx, VertxTestContext ctx) {
    List<String> ids = new ArrayList<>();
    AtomicBoolean fired = new AtomicBoolean();
    vertx
        .eventBus()
        .addOutboundInterceptor(
            dc -> {
              dc.next();
              if (dc.message().address().equals(Addresses.workerTask("w1"))
                  && dc.body() instanceof ShardTask t
                  && t.getHeader().getStep() == 1
                  && fired.compareAndSet(false, true)) {
                vertx.undeploy(ids.get(1));
              }
            });
    CoordinatorVerticle c = start(vertx, options(3, ShardingMode.VIEWS), 3, List.of(), ids);
    RunResult r = c.result().await();
    assertThat(r.faults().reassigned()).isGreaterThanOrEqualTo(1);
    assertThat(r.finalParams()).containsExactly(CLEAN.get("VIEWS/3"));
    ctx.completeNow();
  }

  /**
   * A VIEWS-mode peer that answers without features, sends features for shard 0xFFFFFFFF, or sends
   * finite features whose objective overflows: refused under one reason each, in the one fault
   * count, its shard recomputed by the honest worker in the same step (no deadline needed), and
   * nothing of it applied.
   */
  @ParameterizedTest
  @CsvSource({"RESULT_BEFORE_FEATURES, shape", "BAD_SHARD_ID, shape", "HUGE_FEATURES, non_finite"})
  void badViewsPeerIsRefusedCountedAndItsShardRecomputed(String kind, String reason, Vertx vertx)
      throws Exception {
    RogueWorker rogue = new RogueWorker("x-rogue", RogueWorker.Kind.valueOf(kind), CONFIG, SET, 0);
    CoordinatorVerticle c =
        start(vertx, options(2, ShardingMode.VIEWS), 1, List.of(rogue), new ArrayList<>());
    RunResult r = c.result().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    assertThat(r.steps()).isEqualTo(STEPS);
    assertThat(r.faults().rejected(reason)).as("refused as " + reason).isEqualTo(STEPS);
    assertThat(r.faults().rejected().keySet()).as("no other reason").containsExactly(reason);
    assertThat(r.faults().timeouts()).as("refused at once, not by a deadline").isZero();
    assertThat(r.faults().reassigned()).isEqualTo(STEPS);
    assertThat(r.finalParams()).as("nothing of it applied").containsExactly(CLEAN.get("VIEWS/2"));
  }

  /**
   * Finite but absurd results (gradients or statistic deltas of 1e30) from step 1 on, with the norm
   * bound on from step 1: refused as gradient outliers, recomputed by the honest worker, nothing of
   * them applied; at step 0, inside the warm-up, the bound does not apply (that step's result is
   * refused for its shape instead).
   */
  @ParameterizedTest
  @CsvSource({"HUGE_GRADIENT", "HUGE_BN_DELTAS"})
  void gradientFarOutsideTheRecentRangeIsRefusedAndRecomputed(String kind, Vertx vertx)
      throws Exception {
    RogueWorker rogue = new RogueWorker("x-rogue", RogueWorker.Kind.valueOf(kind), CONFIG, SET, 0);
    CoordinatorOptions bounded =
        options(2, ShardingMode.IMAGES).withNormBound(new NormBound(100, 1, 64));
    CoordinatorVerticle c = start(vertx, bounded, 1, List.of(rogue), new ArrayList<>());
    RunResult r = c.result().toCompletionStage().toCompletableFuture().get(90, TimeUnit.SECONDS);
    assertThat(r.steps()).isEqualTo(STEPS);
    assertThat(r.faults().rejected(Rejections.GRADIENT_OUTLIER)).isEqualTo(STEPS - 1);
    assertThat(r.faults().rejected(Rejections.SHAPE)).as("step 0, in the warm-up").isEqualTo(1);
    assertThat(r.faults().reassigned()).isEqualTo(STEPS);
    assertThat(r.finalParams()).as("nothing of it applied").containsExactly(CLEAN.get("IMAGES/2"));
  }

  @Test
  void duplicatedFeaturesAreAnsweredOnceAndNotCountedTwice(Vertx vertx, VertxTestContext ctx) {
    vertx
        .eventBus()
        .addOutboundInterceptor(
            dc -> {
              dc.next();
              if (dc.message().address().equals(Addresses.COORDINATOR_FEATURES)
                  && dc.body() instanceof Features f
                  && !dc.message().headers().contains("copy")) {
                vertx
                    .eventBus()
                    .request(
                        Addresses.COORDINATOR_FEATURES,
                        f,
                        new io.vertx.core.eventbus.DeliveryOptions().addHeader("copy", "1"));
              }
            });
    CoordinatorVerticle c =
        start(vertx, options(2, ShardingMode.VIEWS), 2, List.of(), new ArrayList<>());
    RunResult r = c.result().await();
    assertThat(r.faults().duplicates()).isEqualTo(2L * STEPS);
    assertThat(r.finalParams()).containsExactly(CLEAN.get("VIEWS/2"));
    ctx.completeNow();
  }

  @Test
  void workerWithAnotherModelConfigIsRefusedWithAReason(Vertx vertx, VertxTestContext ctx) {
    CoordinatorVerticle c =
        start(vertx, options(1, ShardingMode.IMAGES), 0, List.of(), new ArrayList<>());
    Map<String, String> other = new HashMap<>(CONFIG.modelDefiningKeys());
    other.put("width", "0.5");
    TrainConfig wider = TrainConfig.of(other);
    assertThatThrownBy(
            () ->
                vertx
                    .deployVerticle(
                        new WorkerVerticle(WorkerOptions.of("w-wide"), wider, SET, Reference.NORM))
                    .await())
        .hasMessageContaining("MODEL_CONFIG_MISMATCH")
        .hasMessageContaining(ModelConfigHash.of(wider))
        .hasMessageContaining(ModelConfigHash.of(CONFIG))
        .hasMessageContaining("worker: width 0.5, representation size 0")
        .hasMessageContaining("run: width " + CONFIG.width() + ", representation size 0");
    assertThat(c.faults().refused()).isEqualTo(1);
    ctx.completeNow();
  }

  @Test
  void workerWithAnotherRepresentationSizeIsRefusedNamingBothValues(
      Vertx vertx, VertxTestContext ctx) {
    CoordinatorVerticle c =
        start(vertx, options(1, ShardingMode.IMAGES), 0, List.of(), new ArrayList<>());
    Map<String, String> other = new HashMap<>(CONFIG.modelDefiningKeys());
    other.put("representation-size", "16");
    TrainConfig sized = TrainConfig.of(other);
    assertThatThrownBy(
            () ->
                vertx
                    .deployVerticle(
                        new WorkerVerticle(WorkerOptions.of("w-sized"), sized, SET, Reference.NORM))
                    .await())
        .hasMessageContaining("MODEL_CONFIG_MISMATCH")
        .hasMessageContaining("worker: width " + CONFIG.width() + ", representation size 16")
        .hasMessageContaining("run: width " + CONFIG.width() + ", representation size 0");
    assertThat(c.faults().refused()).isEqualTo(1);
    ctx.completeNow();
  }

  @Test
  void workerSpeakingAnotherProtocolVersionIsRefusedWithAReason(Vertx vertx, VertxTestContext ctx) {
    CoordinatorVerticle c =
        start(vertx, options(1, ShardingMode.IMAGES), 0, List.of(), new ArrayList<>());
    WorkerHello hello =
        WorkerHello.newBuilder()
            .setHeader(Headers.of("", 0, 0, "w-future").toBuilder().setProtocolVersion(2))
            .setWorkerId("w-future")
            .setModelConfigHash(ModelConfigHash.of(CONFIG))
            .addSupportedProtocolVersions(2)
            .build();
    RegistrationReply reply =
        (RegistrationReply)
            vertx.eventBus().request(Addresses.COORDINATOR_REGISTER, hello).await().body();
    assertThat(reply.getAccepted()).isFalse();
    assertThat(reply.getRefusalReason())
        .isEqualTo(RegistrationReply.RefusalReason.PROTOCOL_VERSION_MISMATCH);
    assertThat(reply.getRefusalText()).contains("protocol version 2").contains("speaks 1");
    assertThat(c.faults().refused()).isEqualTo(1);
    ctx.completeNow();
  }
}

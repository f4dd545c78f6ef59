package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.observe.CoordinatorMetrics;
import org.relreason.observe.MessageBytes;
import org.relreason.observe.Registries;
import org.relreason.observe.RunObserver;
import org.relreason.observe.WorkerMetrics;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/** The fault counters reach Prometheus through the coordinator's observer hooks. */
class CoordinatorMetricsTest {
  private static final int STEPS = 3;
  private static final TrainConfig CONFIG = Reference.tinyConfig(STEPS);
  private static final ImageSet SET = Reference.tinyImages();

  /** Runs w0 and a rogue; returns the scrape. */
  private static String runWithRogue(RogueWorker.Kind kind) {
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx);
      PrometheusRegistry registry = Registries.withJvmMetrics();
      MessageBytes bytes = new MessageBytes(registry);
      CoordinatorMetrics metrics = new CoordinatorMetrics(registry, bytes, CONFIG.m() * CONFIG.k());
      WorkerMetrics workers = new WorkerMetrics(registry, null);
      CoordinatorVerticle c =
          new CoordinatorVerticle(
                  CoordinatorOptions.of(UUID.randomUUID().toString(), 2, ShardingMode.IMAGES)
                      .withDeadlineMs(1500),
                  CONFIG,
                  SET)
              .observer(metrics);
      vertx.deployVerticle(c).await();
      vertx
          .deployVerticle(
              new WorkerVerticle(WorkerOptions.of("w0"), CONFIG, SET, Reference.NORM)
                  .observer(workers))
          .await();
      vertx.deployVerticle(new RogueWorker("x-rogue", kind, CONFIG, SET, 2000)).await();
      RunResult r = c.result().await();
      assertThat(r.steps()).isEqualTo(STEPS);
      assertThat(metrics.state()).isEqualTo(RunObserver.RunState.FINISHED);
      return new String(Registries.scrape(registry), StandardCharsets.UTF_8);
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void aSilentWorkerIsADeadlineDeathAndAReassignment() {
    String s = runWithRogue(RogueWorker.Kind.SILENT);
    assertThat(s)
        .contains("relreason_worker_deaths_total{cause=\"deadline\"} 1.0")
        .contains("relreason_worker_deaths_total{cause=\"heartbeat\"} 0.0")
        .contains("relreason_shard_reassignments_total 1.0")
        .contains("relreason_train_steps_total " + STEPS + ".0")
        // the plan keeps two shards a step: once the rogue is evicted w0 computes both
        .contains("relreason_worker_shards_total " + 2 * STEPS + ".0")
        .contains("relreason_workers_active 1.0");
  }

  @Test
  void nanGradientsAreCountedAsRejectedNonFinite() {
    String s = runWithRogue(RogueWorker.Kind.NAN);
    assertThat(s)
        .contains("relreason_messages_rejected_total{reason=\"non_finite\"} " + STEPS + ".0")
        .contains("relreason_messages_rejected_total{reason=\"stale\"} 0.0")
        .contains("relreason_shard_reassignments_total " + STEPS + ".0");
  }

  @Test
  void staleResultsAreCountedAsRejectedStale() {
    String s = runWithRogue(RogueWorker.Kind.STALE);
    assertThat(s).contains("relreason_messages_rejected_total{reason=\"stale\"} " + STEPS + ".0");
  }
}

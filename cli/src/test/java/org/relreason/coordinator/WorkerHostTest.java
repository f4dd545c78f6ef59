package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.observe.RunObserver;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/** The host a worker advertises reaches the coordinator's observers (metrics, dashboard table). */
class WorkerHostTest {
  private static final TrainConfig CONFIG = Reference.tinyConfig(1);

  @Test
  void theWorkersAdvertisedHostIsReported() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx);
      CompletableFuture<RunObserver.WorkerInfo> joined = new CompletableFuture<>();
      CoordinatorVerticle c =
          new CoordinatorVerticle(
                  CoordinatorOptions.of(UUID.randomUUID().toString(), 1, ShardingMode.IMAGES),
                  CONFIG,
                  Reference.tinyImages())
              .observer(
                  new RunObserver() {
                    @Override
                    public void onWorkerJoined(WorkerInfo worker) {
                      joined.complete(worker);
                    }
                  });
      vertx.deployVerticle(c).await();
      WorkerOptions options = WorkerOptions.of("w0").withHost("gpu-node-3.example");
      vertx
          .deployVerticle(
              new WorkerVerticle(options, CONFIG, Reference.tinyImages(), Reference.NORM))
          .await();
      RunObserver.WorkerInfo info = joined.get(60, TimeUnit.SECONDS);
      assertThat(info.id()).isEqualTo("w0");
      assertThat(info.host()).isEqualTo("gpu-node-3.example");
      c.result().await();
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void embeddedWorkersReportLoopbackAndABlankHostIsRefused() {
    assertThat(WorkerOptions.of("w0").host()).isEqualTo("127.0.0.1");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> WorkerOptions.of("w0").withHost(" "))
        .hasMessageContaining("worker host must not be blank");
  }
}

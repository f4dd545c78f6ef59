package org.relreason.coordinator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.v1.ParameterSnapshot;

/**
 * Two clustered nodes on 127.0.0.1, one metered: its meter holds the requests it sends, the replies
 * it sends (a parameter snapshot, as the coordinator answers a worker's pull) and the replies it
 * receives (shard results arrive as bytes), and nothing for messages that stay inside the JVM.
 */
class WireMeterTest {
  private static final int SNAPSHOT_FLOATS = 100_000;
  private static final int RESULT_BYTES = 300_000;

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void countsRequestsAndRepliesBothWays() {
    ClusterSettings settings = ClusterSettings.loopback("relreason-wire-" + UUID.randomUUID());
    WireMeter meter = new WireMeter();
    Vertx coordinator = ClusterSupport.start(settings, meter).await();
    Vertx worker = ClusterSupport.start(settings).await();
    try {
      ParameterSnapshot snapshot =
          ParameterSnapshot.newBuilder()
              .setParams(Tensors.float32(new float[SNAPSHOT_FLOATS], SNAPSHOT_FLOATS))
              .build();
      coordinator.eventBus().consumer("test.params", m -> m.reply(snapshot)).completion().await();
      worker
          .eventBus()
          .consumer("test.task", m -> m.reply(Buffer.buffer(new byte[RESULT_BYTES])))
          .completion()
          .await();
      coordinator.eventBus().consumer("test.local", m -> m.reply("pong")).completion().await();

      Object local = coordinator.eventBus().request("test.local", "ping").await().body();
      assertThat(local).isEqualTo("pong");
      assertThat(meter.total()).as("in-JVM delivery is not on the wire").isZero();

      // a worker's pull: a small request in, the snapshot out as a reply
      Object pulled = worker.eventBus().request("test.params", "pull").await().body();
      assertThat(pulled).isEqualTo(snapshot);
      int snapshotBytes = snapshot.getSerializedSize();
      assertThat(meter.sent())
          .as("the reply")
          .isBetween((long) snapshotBytes, snapshotBytes + 500L);
      assertThat(meter.received()).as("the request, with frame headers").isBetween(1L, 500L);

      // a task out, the result in as a reply
      long sentBefore = meter.sent();
      long receivedBefore = meter.received();
      Object result = coordinator.eventBus().request("test.task", "task").await().body();
      assertThat(((Buffer) result).length()).isEqualTo(RESULT_BYTES);
      assertThat(meter.received() - receivedBefore)
          .as("the reply")
          .isBetween((long) RESULT_BYTES, RESULT_BYTES + 500L);
      assertThat(meter.sent() - sentBefore).as("the request").isBetween(1L, 500L);
    } finally {
      worker.close().await();
      coordinator.close().await();
    }
  }
}

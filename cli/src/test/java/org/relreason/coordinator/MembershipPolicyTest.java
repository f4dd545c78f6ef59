package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.Headers;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.RegistrationReply.RefusalReason;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;

/**
 * Registrations are capped at the configured workers plus slack, and a Disconnect evicts a worker
 * only when the worker sends it from its own node: checked on a coordinator waiting for workers (so
 * that nothing trains meanwhile), whatever the sender knows.
 */
@ExtendWith(io.vertx.junit5.VertxExtension.class)
class MembershipPolicyTest {
  @Test
  void capacityLeavesRoomForReplacementsOnly() {
    assertThat(MembershipPolicy.capacity(1)).isEqualTo(3);
    assertThat(MembershipPolicy.capacity(64)).isEqualTo(80);
    assertThat(MembershipPolicy.fullRefusal(2, 1)).isNull();
    assertThat(MembershipPolicy.fullRefusal(3, 1))
        .contains("3 registered")
        .contains("1 configured");
  }

  @Test
  void aDisconnectIsHonouredOnlyFromTheWorkersOwnNode() {
    Disconnect own = disconnect("w1", "w1");
    assertThat(MembershipPolicy.disconnectRefusal(own, "node-a", "node-a")).isNull();
    assertThat(MembershipPolicy.disconnectRefusal(own, null, null)).isNull(); // same JVM
    assertThat(MembershipPolicy.disconnectRefusal(own, "node-b", "node-a")).contains("node");
    assertThat(MembershipPolicy.disconnectRefusal(own, null, "node-a")).contains("node");
    assertThat(MembershipPolicy.disconnectRefusal(disconnect("w1", "w2"), "node-a", "node-a"))
        .contains("sent by 'w2'");
  }

  @Test
  void fakeWorkersBeyondTheCapAreRefusedAndSpoofedDisconnectsIgnored(Vertx vertx) {
    Codecs.registerAll(vertx);
    // 10 configured workers; the run then waits for their (never coming) results
    CoordinatorVerticle c =
        new CoordinatorVerticle(
            CoordinatorOptions.of(UUID.randomUUID().toString(), 10, ShardingMode.IMAGES),
            Reference.tinyConfig(2),
            Reference.tinyImages());
    vertx.deployVerticle(c).await();
    int cap = MembershipPolicy.capacity(10);
    for (int i = 0; i < cap; i++) {
      assertThat(register(vertx, "fake" + i).getAccepted()).as("worker %d", i).isTrue();
    }
    RegistrationReply full = register(vertx, "one-too-many");
    assertThat(full.getAccepted()).isFalse();
    assertThat(full.getRefusalReason()).isEqualTo(RefusalReason.RUN_FULL);

    // fake0 registered from node-0: a Disconnect for it sent by another worker, or from another
    // node, is ignored and counted; its own is honoured and makes room again
    send(vertx, disconnect("fake0", "fake1"), "node-0");
    send(vertx, disconnect("fake0", "fake0"), "node-1");
    send(vertx, disconnect("fake0", "fake0"), null);
    assertThat(register(vertx, "one-too-many").getRefusalReason())
        .isEqualTo(RefusalReason.RUN_FULL);
    assertThat(c.faults().rejected(Rejections.UNAUTHENTICATED)).isEqualTo(3);
    assertThat(c.faults().deaths()).isEmpty();
    send(vertx, disconnect("fake0", "fake0"), "node-0");
    assertThat(register(vertx, "one-more").getAccepted()).isTrue();
    assertThat(c.faults().deaths(Rejections.DISCONNECT)).isEqualTo(1);
  }

  /** Registers {@code id}, with a task consumer that never answers (the run waits, busy). */
  private static RegistrationReply register(Vertx vertx, String id) {
    vertx.eventBus().consumer(Addresses.workerTask(id), m -> {}).completion().await();
    WorkerHello hello =
        WorkerHello.newBuilder()
            .setHeader(Headers.of("", 0, 0, id))
            .setWorkerId(id)
            .setModelConfigHash(ModelConfigHash.of(Reference.tinyConfig(2)))
            .addSupportedProtocolVersions(1)
            .build();
    DeliveryOptions o =
        new DeliveryOptions().addHeader(Headers.NODE_ID, "node-" + id.replace("fake", ""));
    return (RegistrationReply)
        vertx.eventBus().request(Addresses.COORDINATOR_REGISTER, hello, o).await().body();
  }

  /** Sends, then waits for the coordinator to have handled it (a request after it, same order). */
  private static void send(Vertx vertx, Disconnect d, String node) {
    DeliveryOptions o = new DeliveryOptions();
    if (node != null) {
      o.addHeader(Headers.NODE_ID, node);
    }
    vertx.eventBus().send(Addresses.COORDINATOR_DISCONNECT, d, o);
  }

  private static Disconnect disconnect(String worker, String sender) {
    return Disconnect.newBuilder()
        .setHeader(Headers.of("", 0, 0, sender))
        .setWorkerId(worker)
        .setReason(Disconnect.Reason.SHUTDOWN)
        .build();
  }
}

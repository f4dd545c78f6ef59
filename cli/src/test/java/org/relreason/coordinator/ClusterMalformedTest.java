package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.ProtoCodec;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;

/**
 * Two clustered Vert.x nodes over the real event bus: a peer sends, to every coordinator address, a
 * frame that names the right protobuf codec but holds bytes that do not parse. The coordinator
 * decodes such a body lazily, inside its handler; each is now answered with a typed MALFORMED
 * {@code Error} and counted, and the coordinator still trains.
 */
class ClusterMalformedTest {
  /** An endless varint: no protobuf message parses from it. */
  private static final byte[] JUNK = new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};

  /** A body that travels under another type's codec name with junk for its protobuf bytes. */
  record Junk(String typeName) {}

  /** Writes {@link #JUNK} length-prefixed, as {@link ProtoCodec} frames its messages. */
  record LiarCodec(String name) implements MessageCodec<Junk, Object> {
    @Override
    public void encodeToWire(Buffer buffer, Junk junk) {
      buffer.appendInt(JUNK.length).appendBytes(JUNK);
    }

    @Override
    public Object decodeFromWire(int pos, Buffer buffer) {
      throw new UnsupportedOperationException("send only");
    }

    @Override
    public Object transform(Junk junk) {
      return junk;
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void malformedProtobufFromAnotherNodeIsAnsweredWithATypedErrorAndCounted() throws Exception {
    try (ClusterProcesses names = new ClusterProcesses(2, Map.of())) {
      ClusterSettings settings = names.settings();
      Vertx coordinatorNode = ClusterSupport.start(settings).await();
      Vertx peer = null;
      try {
        CoordinatorVerticle c =
            new CoordinatorVerticle(
                CoordinatorOptions.of(UUID.randomUUID().toString(), 1, ShardingMode.IMAGES),
                Reference.tinyConfig(2),
                Reference.tinyImages());
        coordinatorNode.deployVerticle(c).await();
        peer = rawNode(settings);
        Map<String, String> targets =
            Map.of(
                Addresses.COORDINATOR_REGISTER, WorkerHello.getDescriptor().getFullName(),
                Addresses.COORDINATOR_PARAMS, ParameterRequest.getDescriptor().getFullName(),
                Addresses.COORDINATOR_FEATURES, Features.getDescriptor().getFullName(),
                Addresses.HEARTBEAT, Heartbeat.getDescriptor().getFullName());
        for (var t : targets.entrySet()) {
          Object reply =
              peer.eventBus()
                  .request(
                      t.getKey(),
                      new Junk(t.getValue()),
                      new DeliveryOptions().setCodecName(t.getValue()).setSendTimeout(10_000))
                  .await()
                  .body();
          assertThat(reply).as(t.getKey()).isInstanceOf(Error.class);
          Error e = (Error) reply;
          assertThat(e.getCode()).as(t.getKey()).isEqualTo(Error.Code.MALFORMED);
          assertThat(e.getMessageType()).as(t.getKey()).isEqualTo(t.getValue());
        }
        assertThat(c.faults().rejected(Rejections.MALFORMED)).isEqualTo(targets.size());
        coordinatorNode
            .deployVerticle(
                new org.relreason.worker.WorkerVerticle(
                    org.relreason.worker.WorkerOptions.of("w0"),
                    Reference.tinyConfig(2),
                    Reference.tinyImages(),
                    Reference.NORM))
            .await();
        assertThat(c.result().await().steps()).as("the coordinator still trains").isEqualTo(2);
      } finally {
        if (peer != null) {
          peer.close().await();
        }
        coordinatorNode.close().await();
      }
    }
  }

  /**
   * A cluster node with only the {@code Error} codec and the liars: what a buggy or hostile peer
   * that knows the cluster's settings can send.
   */
  private static Vertx rawNode(ClusterSettings settings) {
    Vertx v =
        Vertx.builder()
            .with(new VertxOptions().setEventBusOptions(ClusterSupport.eventBusOptions(settings)))
            .withClusterManager(
                new HazelcastClusterManager(ClusterSupport.hazelcastConfig(settings)))
            .buildClustered()
            .await();
    v.eventBus()
        .registerDefaultCodec(
            Error.class, new ProtoCodec<>(Error.class, Error.getDefaultInstance(), 1 << 20));
    for (String name :
        List.of(
            WorkerHello.getDescriptor().getFullName(),
            ParameterRequest.getDescriptor().getFullName(),
            Features.getDescriptor().getFullName(),
            Heartbeat.getDescriptor().getFullName())) {
      v.eventBus().registerCodec(new LiarCodec(name));
    }
    return v;
  }
}

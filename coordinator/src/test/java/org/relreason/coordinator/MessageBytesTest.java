package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.Headers;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;

/**
 * What {@code relreason_message_bytes_total} is fed: every message the coordinator receives and
 * every reply it sends (registration, heartbeat, parameter snapshot, errors), each at its size.
 */
class MessageBytesTest {
  private static final TrainConfig CONFIG = Reference.tinyConfig(2);

  @Test
  void everyRequestAndEveryReplyIsCounted() {
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx);
      List<String> counted = new CopyOnWriteArrayList<>();
      RunObserver recorder =
          new RunObserver() {
            @Override
            public void onMessage(Traffic.Direction d, Traffic.Kind k, long bytes) {
              counted.add(d.label() + " " + k.label() + " " + bytes);
            }
          };
      // two workers expected, one comes: the run never starts, so only our messages flow
      CoordinatorVerticle c =
          new CoordinatorVerticle(
                  CoordinatorOptions.of(UUID.randomUUID().toString(), 2, ShardingMode.IMAGES),
                  CONFIG,
                  Reference.tinyImages())
              .observer(recorder);
      vertx.deployVerticle(c).await();

      WorkerHello hello =
          WorkerHello.newBuilder()
              .setHeader(Headers.of("", 0, 0, "t1"))
              .setWorkerId("t1")
              .setModelConfigHash(ModelConfigHash.of(CONFIG))
              .addSupportedProtocolVersions(Validation.PROTOCOL_VERSION)
              .build();
      RegistrationReply registered =
          (RegistrationReply) request(vertx, Addresses.COORDINATOR_REGISTER, hello);
      assertThat(registered.getAccepted()).isTrue();
      assertThat(counted)
          .contains("received control " + hello.getSerializedSize())
          .contains("sent control " + registered.getSerializedSize());

      String runId = registered.getHeader().getRunId();
      Heartbeat beat =
          Heartbeat.newBuilder().setHeader(Headers.of(runId, 0, 0, "t1")).setWorkerId("t1").build();
      Heartbeat answer = (Heartbeat) request(vertx, Addresses.HEARTBEAT, beat);
      assertThat(counted).contains("sent control " + answer.getSerializedSize());

      Heartbeat stranger = beat.toBuilder().setWorkerId("nobody").build();
      Error notAMember = (Error) request(vertx, Addresses.HEARTBEAT, stranger);
      assertThat(counted).contains("sent control " + notAMember.getSerializedSize());

      ParameterRequest pull =
          ParameterRequest.newBuilder()
              .setHeader(Headers.of(runId, 0, 0, "t1"))
              .setWorkerId("t1")
              .build();
      ParameterSnapshot snapshot =
          (ParameterSnapshot) request(vertx, Addresses.COORDINATOR_PARAMS, pull);
      assertThat(counted)
          .contains("received control " + pull.getSerializedSize())
          .contains("sent parameters " + snapshot.getSerializedSize());

      Buffer garbage = Buffer.buffer().appendInt(5).appendBytes(new byte[] {1, 2, 3, 4, 5});
      Error malformed = (Error) request(vertx, Addresses.COORDINATOR_PARAMS, garbage);
      assertThat(counted)
          .contains("received control 5")
          .contains("sent control " + malformed.getSerializedSize());
    } finally {
      vertx.close().await();
    }
  }

  private static Object request(Vertx vertx, String address, Object body) {
    return vertx.eventBus().request(address, body).await().body();
  }
}

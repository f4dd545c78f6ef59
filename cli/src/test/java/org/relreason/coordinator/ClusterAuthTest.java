package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relreason.coordinator.cluster.ClusterSecret;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.Headers;
import org.relreason.protocol.ProtoCodec;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/**
 * Issue #13's reproduction against a run secret, three clustered Vert.x nodes on 127.0.0.1: a
 * coordinator and a worker holding the secret, and a peer that knows the cluster name, the ports,
 * the protocol, the model configuration and even the run id, but not the secret. The peer cannot
 * obtain the parameters, register workers, learn anything from a refusal or evict the worker; a
 * genuine message it captured is refused when replayed, and refused when relayed with its own reply
 * address. The worker trains as if the peer were not there (final parameters equal the
 * single-process run's).
 */
class ClusterAuthTest {
  private static final int STEPS = 3;

  /** A captured body: the frame it came in and where the body starts. */
  record Captured(Buffer frame, int bodyPos) {}

  /**
   * Decodes a {@code Heartbeat} into the raw frame (to replay it) and encodes a captured one
   * verbatim (to relay it): what a peer can do without the secret.
   */
  static final class Recorder implements MessageCodec<Captured, Captured> {
    @Override
    public void encodeToWire(Buffer buffer, Captured c) {
      buffer.appendBuffer(c.frame(), c.bodyPos(), c.frame().length() - c.bodyPos());
    }

    @Override
    public Captured decodeFromWire(int pos, Buffer buffer) {
      return new Captured(buffer.copy(), pos);
    }

    @Override
    public Captured transform(Captured c) {
      return c;
    }

    @Override
    public String name() {
      return Heartbeat.getDescriptor().getFullName();
    }

    @Override
    public byte systemCodecID() {
      return -1;
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void aPeerWithoutTheSecretGetsNothingAndChangesNothing() throws Exception {
    ClusterSettings base;
    int busPort;
    try (ClusterProcesses names = new ClusterProcesses(STEPS, Map.of())) {
      base = names.settings();
      busPort = ClusterProcesses.freePort();
    }
    byte[] bytes = new byte[32];
    new SecureRandom().nextBytes(bytes);
    ClusterSecret secret = ClusterSecret.of(bytes);
    TrainConfig config = Reference.tinyConfig(STEPS);
    ImageSet set = Reference.tinyImages();
    String runId = UUID.randomUUID().toString();
    CoordinatorVerticle coordinator =
        new CoordinatorVerticle(CoordinatorOptions.of(runId, 1, ShardingMode.IMAGES), config, set);
    List<Vertx> nodes = new ArrayList<>();
    try {
      ClusterSettings c = withBusPort(base, busPort).withSecret(secret);
      nodes.add(
          ClusterSupport.start(
                  c,
                  null,
                  ClusterSupport.DEFAULT_MAX_FRAME_BYTES,
                  coordinator::frameRefused,
                  coordinator::messageRefused)
              .await());
      nodes.get(0).deployVerticle(coordinator).await();
      Vertx workerNode = ClusterSupport.start(base.withSecret(secret)).await();
      nodes.add(workerNode);
      Vertx peer = peer(base);
      nodes.add(peer);

      // 1. Fake workers with the right model hash: refused, the refusal says nothing.
      for (int i = 0; i < 5; i++) {
        assertTellsNothing(ask(peer, Addresses.COORDINATOR_REGISTER, hello("fake" + i)), runId);
      }
      // 2. The parameters, asked with the real run id: refused.
      ParameterRequest params =
          ParameterRequest.newBuilder()
              .setHeader(Headers.of(runId, 0, 0, "fake0"))
              .setWorkerId("fake0")
              .build();
      assertTellsNothing(ask(peer, Addresses.COORDINATOR_PARAMS, params), runId);
      // 3. A body no codec authenticates: refused alike.
      assertTellsNothing(ask(peer, Addresses.HEARTBEAT, Buffer.buffer("junk")), runId);
      long refused = 7;
      await(() -> unauthenticated(coordinator) == refused, "the 7 refusals are counted");

      // The worker with the secret joins and trains.
      MessageConsumer<Captured> tap = peer.eventBus().consumer(Addresses.HEARTBEAT);
      CompletableFuture<Captured> captured = new CompletableFuture<>();
      tap.handler(m -> captured.complete(m.body()));
      tap.completion().await();
      deployWorker(workerNode, config, set);

      // 4. A Disconnect for the worker, while it is a member: ignored.
      Disconnect spoof =
          Disconnect.newBuilder()
              .setHeader(Headers.of(runId, 0, 0, "w0"))
              .setWorkerId("w0")
              .setReason(Disconnect.Reason.SHUTDOWN)
              .setDetail("spoofed")
              .build();
      peer.eventBus().send(Addresses.COORDINATOR_DISCONNECT, spoof);
      await(() -> unauthenticated(coordinator) == refused + 1, "the Disconnect is refused");

      // 5. A genuine heartbeat the peer took off the bus (round robin gave it one).
      Captured beat = captured.get(60, TimeUnit.SECONDS);
      tap.unregister().await();
      // relayed through its own node (its reply address): refused, the envelope is in the MAC
      assertTellsNothing(ask(peer, Addresses.HEARTBEAT, beat), runId);
      await(() -> unauthenticated(coordinator) == refused + 2, "the relayed heartbeat is refused");
      // replayed byte for byte to the coordinator's port: the first copy is the genuine one the
      // coordinator never got, the second a replay
      try (Socket s = new Socket(InetAddress.getLoopbackAddress(), busPort)) {
        OutputStream out = s.getOutputStream();
        for (int i = 0; i < 2; i++) {
          out.write(Buffer.buffer().appendInt(beat.frame().length()).getBytes());
          out.write(beat.frame().getBytes());
        }
        out.flush();
        await(() -> unauthenticated(coordinator) == refused + 3, "the replay is refused");
      }

      RunResult run = coordinator.result().timeout(180, TimeUnit.SECONDS).await();
      assertThat(run.steps()).isEqualTo(STEPS);
      assertThat(run.faults().deaths()).as("no worker was evicted").isEmpty();
      assertThat(unauthenticated(coordinator)).isEqualTo(refused + 3);
      try (Reference ref = new Reference(config, set)) {
        ref.train(STEPS, ShardingMode.IMAGES, 1);
        assertThat(run.finalParams()).containsExactly(ref.model.paramsVector());
      }
    } finally {
      for (int i = nodes.size() - 1; i >= 0; i--) {
        nodes.get(i).close().await();
      }
    }
  }

  private static long unauthenticated(CoordinatorVerticle c) {
    return c.faults().rejected(Rejections.UNAUTHENTICATED);
  }

  private static void assertTellsNothing(Object reply, String runId) {
    assertThat(reply).isInstanceOf(Error.class);
    Error e = (Error) reply;
    assertThat(e.getCode()).isEqualTo(Error.Code.UNAUTHENTICATED);
    assertThat(e.hasHeader()).as("no header: no run id, step or version").isFalse();
    assertThat(e.toString()).doesNotContain(runId);
  }

  private static WorkerHello hello(String id) {
    return WorkerHello.newBuilder()
        .setHeader(Headers.of("", 0, 0, id))
        .setWorkerId(id)
        .setModelConfigHash(ModelConfigHash.of(Reference.tinyConfig(STEPS)))
        .addSupportedProtocolVersions(1)
        .build();
  }

  /** A plain node of the cluster: relreason's codecs without the secret, and the recorder. */
  private static Vertx peer(ClusterSettings settings) {
    Vertx v =
        Vertx.builder()
            .with(new VertxOptions().setEventBusOptions(ClusterSupport.eventBusOptions(settings)))
            .withClusterManager(
                new HazelcastClusterManager(ClusterSupport.hazelcastConfig(settings)))
            .buildClustered()
            .await();
    for (ProtoCodec<?> codec : Codecs.codecs(ProtoCodec.DEFAULT_MAX_BYTES)) {
      if (codec.type() != Heartbeat.class) {
        register(v, codec);
      }
    }
    v.eventBus().registerCodec(new Recorder());
    return v;
  }

  private static <T extends com.google.protobuf.Message> void register(Vertx v, ProtoCodec<T> c) {
    v.eventBus().registerDefaultCodec(c.type(), c);
  }

  /** Asks until the coordinator's consumers are visible from {@code node}. */
  private static Object ask(Vertx node, String address, Object body) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        DeliveryOptions options = new DeliveryOptions().setSendTimeout(10_000);
        if (body instanceof Captured) {
          options.setCodecName(Heartbeat.getDescriptor().getFullName());
        }
        return node.eventBus().request(address, body, options).await().body();
      } catch (ReplyException e) {
        if (e.failureType() != ReplyFailure.NO_HANDLERS || attempt >= 40) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    for (int i = 0; i < 200 && !condition.getAsBoolean(); i++) {
      Thread.sleep(100);
    }
    assertThat(condition.getAsBoolean()).as(what).isTrue();
  }

  private static ClusterSettings withBusPort(ClusterSettings s, int port) {
    return new ClusterSettings(
        s.host(),
        s.members(),
        s.hazelcastPort(),
        s.clusterName(),
        port,
        s.discovery(),
        s.k8sServiceDns(),
        s.tls(),
        s.secret());
  }

  private static void deployWorker(Vertx node, TrainConfig config, ImageSet set)
      throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        node.deployVerticle(new WorkerVerticle(WorkerOptions.of("w0"), config, set, Reference.NORM))
            .await();
        return;
      } catch (RuntimeException e) {
        if (attempt >= 30) {
          throw e;
        }
        Thread.sleep(500);
      }
    }
  }
}

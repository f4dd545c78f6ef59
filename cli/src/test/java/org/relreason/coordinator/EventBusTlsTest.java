package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/**
 * Event-bus TLS with required client certificates, four clustered Vert.x nodes in this JVM on
 * 127.0.0.1: a worker whose certificate the cluster's CA signed trains with the coordinator; a node
 * with a certificate of another CA, and a node without TLS, are Hazelcast members (Hazelcast has no
 * TLS) but cannot exchange a single event-bus message with the coordinator.
 */
class EventBusTlsTest {
  private static final int STEPS = 2;

  @Test
  @Timeout(value = 180, unit = TimeUnit.SECONDS)
  void onlyNodesWithCertificatesOfTheClustersCaExchangeMessages(@TempDir Path dir)
      throws Exception {
    TestCertificates ours = new TestCertificates(dir, "cluster");
    TestCertificates theirs = new TestCertificates(dir, "other");
    String pw = TestCertificates.PASSWORD;
    ClusterSettings base;
    try (ClusterProcesses names = new ClusterProcesses(STEPS, Map.of())) {
      base = names.settings();
    }
    List<Vertx> nodes = new ArrayList<>();
    try {
      Vertx coordinatorNode =
          start(
              nodes, base.withTls(new ClusterSettings.Tls(ours.node("c"), ours.trustStore(), pw)));
      Vertx workerNode =
          start(
              nodes, base.withTls(new ClusterSettings.Tls(ours.node("w"), ours.trustStore(), pw)));
      Vertx foreignNode =
          start(
              nodes,
              base.withTls(new ClusterSettings.Tls(theirs.node("x"), theirs.trustStore(), pw)));
      Vertx plainNode = start(nodes, base);

      TrainConfig config = Reference.tinyConfig(STEPS);
      ImageSet set = Reference.tinyImages();
      CoordinatorVerticle coordinator =
          new CoordinatorVerticle(
              CoordinatorOptions.of(UUID.randomUUID().toString(), 1, ShardingMode.IMAGES),
              config,
              set);
      coordinatorNode.deployVerticle(coordinator).await();
      deployWorker(workerNode, config, set);
      RunResult run = coordinator.result().timeout(120, TimeUnit.SECONDS).await();
      assertThat(run.steps()).isEqualTo(STEPS);
      try (Reference ref = new Reference(config, set)) {
        ref.train(STEPS, ShardingMode.IMAGES, 1);
        assertThat(run.finalParams()).containsExactly(ref.model.paramsVector());
      }

      // The trusted node still reaches the coordinator: garbage is answered MALFORMED and counted.
      Object reply =
          workerNode
              .eventBus()
              .request(Addresses.HEARTBEAT, Buffer.buffer("junk"), timeout())
              .await()
              .body();
      assertThat(((Error) reply).getCode()).isEqualTo(Error.Code.MALFORMED);
      long malformed = coordinator.faults().rejected(Rejections.MALFORMED);
      assertThat(malformed).isEqualTo(1);

      assertThat(failureOf(foreignNode)).as("node of another CA").isNotNull();
      assertThat(failureOf(plainNode)).as("node without TLS").isNotNull();
      assertThat(coordinator.faults().rejected(Rejections.MALFORMED))
          .as("nothing from the untrusted nodes reached the coordinator")
          .isEqualTo(malformed);
    } finally {
      for (Vertx v : nodes) {
        v.close().await();
      }
    }
  }

  private static Vertx start(List<Vertx> nodes, ClusterSettings settings) {
    Vertx v = ClusterSupport.start(settings).await();
    nodes.add(v);
    return v;
  }

  private static DeliveryOptions timeout() {
    return new DeliveryOptions().setSendTimeout(5000);
  }

  /** The coordinator's consumers may not have reached this node's view of the cluster yet. */
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

  /**
   * Sends garbage to the coordinator's heartbeat address until the failure is something other than
   * "no handlers" (which would only mean the subscription had not propagated); fails the test if a
   * reply ever arrives.
   */
  private static ReplyFailure failureOf(Vertx node) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        Object body =
            node.eventBus()
                .request(Addresses.HEARTBEAT, Buffer.buffer("junk"), timeout())
                .await()
                .body();
        fail("an untrusted node exchanged a message with the coordinator: " + body);
      } catch (ReplyException e) {
        if (e.failureType() != ReplyFailure.NO_HANDLERS || attempt >= 20) {
          return e.failureType() == ReplyFailure.NO_HANDLERS ? null : e.failureType();
        }
        Thread.sleep(500);
      }
    }
  }
}

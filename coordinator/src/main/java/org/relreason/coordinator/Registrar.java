package org.relreason.coordinator;

import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.relreason.model.config.TrainConfig;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Headers;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.RegistrationReply.RefusalReason;
import org.relreason.protocol.v1.WorkerHello;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who may take part, as messages: registration (refused for another protocol version or model, a
 * bad or taken id, a full or finished run), heartbeats, goodbyes, and the evictions of silent
 * workers and of the workers of a cluster node that left. It decides with {@link Membership} and
 * {@link MembershipPolicy}, answers through {@link Wire}, and counts every refusal and death once.
 * Called on the coordinator's event loop.
 */
final class Registrar {
  private static final Logger LOG = LoggerFactory.getLogger(Registrar.class);

  private final CoordinatorOptions options;
  private final TrainConfig config;
  private final String configHash;
  private final Membership members;
  private final Counters counters;
  private final RunObserver observer;
  private final Wire wire;
  private final Position at;
  private final BooleanSupplier finished;
  private final Consumer<String> lost;
  private final Runnable startRun;
  private boolean running;
  private int workerThreads = -1;

  /**
   * @param finished whether the run has finished (a worker registering then is refused)
   * @param lost called for each worker of a node that left, to fail its shard attempts at once
   * @param startRun called once, when the configured count of workers is in
   */
  Registrar(
      CoordinatorOptions options,
      TrainConfig config,
      String configHash,
      Membership members,
      Counters counters,
      RunObserver observer,
      Wire wire,
      Position at,
      BooleanSupplier finished,
      Consumer<String> lost,
      Runnable startRun) {
    this.options = options;
    this.config = config;
    this.configHash = configHash;
    this.members = members;
    this.counters = counters;
    this.observer = observer;
    this.wire = wire;
    this.at = at;
    this.finished = finished;
    this.lost = lost;
    this.startRun = startRun;
  }

  void onHello(Message<Object> message) {
    wire.received(message.body(), Kind.CONTROL);
    if (!(message.body() instanceof WorkerHello hello)) {
      counters.rejections.reject(Rejections.MALFORMED);
      String type = WorkerHello.getDescriptor().getFullName();
      wire.reply(
          message, wire.error(Error.Code.MALFORMED, "expected WorkerHello", type), Kind.CONTROL);
      return;
    }
    String id = hello.getWorkerId();
    RegistrationReply.Builder reply =
        RegistrationReply.newBuilder()
            .setHeader(wire.header())
            .setHeartbeatIntervalMs(options.heartbeatIntervalMs())
            .setHeartbeatTimeoutMs(options.heartbeatTimeoutMs());
    Refusal refusal = refusal(hello);
    if (refusal != null) {
      counters.refused++;
      switch (refusal.reason()) {
        case PROTOCOL_VERSION_MISMATCH -> counters.rejections.reject(Rejections.PROTOCOL_VERSION);
        case MODEL_CONFIG_MISMATCH -> counters.rejections.reject(Rejections.CONFIG_HASH);
        default -> {}
      }
      LOG.warn("refused worker '{}': {}: {}", id, refusal.reason(), refusal.text());
      RegistrationReply r =
          reply
              .setAccepted(false)
              .setRefusalReason(refusal.reason())
              .setRefusalText(refusal.text())
              .build();
      wire.reply(message, r, Kind.CONTROL);
      return;
    }
    // A worker joins at the next step boundary; before the first step that is now.
    members.register(
        id, message.headers().get(Headers.NODE_ID), running, System.currentTimeMillis());
    int threads = hello.getCapabilities().getThreads();
    noteThreads(id, threads);
    LOG.info(
        "worker '{}' registered ({}, {})",
        id,
        hello.getCapabilities().getBackend(),
        hello.getCapabilities().getDeviceName());
    RegistrationReply accepted = reply.setAccepted(true).build();
    observer.onWorkerJoined(
        new RunObserver.WorkerInfo(
            id,
            hello.getHost(),
            hello.getCapabilities().getBackend().name(),
            hello.getCapabilities().getDeviceName(),
            threads));
    wire.reply(message, accepted, Kind.CONTROL);
    if (!running && members.size() >= options.workers()) {
      running = true;
      observer.onRunState(RunObserver.RunState.RUNNING);
      startRun.run();
    }
  }

  /** Why a registration is refused, for the reply and the log. */
  private record Refusal(RefusalReason reason, String text) {}

  /** Why {@code hello} is refused, in the order the checks are made; null if it is accepted. */
  private Refusal refusal(WorkerHello hello) {
    String id = hello.getWorkerId();
    if (hello.getHeader().getProtocolVersion() != Validation.PROTOCOL_VERSION
        && !hello.getSupportedProtocolVersionsList().contains(Validation.PROTOCOL_VERSION)) {
      return new Refusal(
          RefusalReason.PROTOCOL_VERSION_MISMATCH,
          "worker speaks protocol version "
              + hello.getHeader().getProtocolVersion()
              + " (supports "
              + hello.getSupportedProtocolVersionsList()
              + "), this coordinator speaks "
              + Validation.PROTOCOL_VERSION);
    } else if (!configHash.equals(hello.getModelConfigHash())) {
      return new Refusal(
          RefusalReason.MODEL_CONFIG_MISMATCH,
          "worker's model-config hash "
              + hello.getModelConfigHash()
              + " differs from the run's "
              + configHash
              + " (compare the model-defining config keys; worker: width "
              + hello.getBackboneWidth()
              + ", representation size "
              + hello.getRepresentationSize()
              + "; run: width "
              + config.width()
              + ", representation size "
              + config.representationSize()
              + ")");
    } else if (!Addresses.isValidWorkerId(id)) {
      return new Refusal(
          RefusalReason.REFUSAL_UNSPECIFIED,
          "worker id '" + id + "' is not 1-128 characters of [A-Za-z0-9_-]");
    } else if (members.taken(id)) {
      return new Refusal(
          RefusalReason.DUPLICATE_WORKER_ID, "a live worker already uses id '" + id + "'");
    } else if (MembershipPolicy.fullRefusal(members.registered(), options.workers()) != null) {
      return new Refusal(
          RefusalReason.RUN_FULL,
          MembershipPolicy.fullRefusal(members.registered(), options.workers()));
    } else if (finished.getAsBoolean()) {
      return new Refusal(RefusalReason.RUN_FINISHED, "the run has finished");
    }
    return null;
  }

  private void noteThreads(String id, int threads) {
    if (workerThreads < 0) {
      workerThreads = threads;
    } else if (threads != workerThreads) {
      // Measured: 3 steps with 1 vs 2 ND4J threads end 1e-3 apart (relative) after Adam, so the
      // run stays correct but is no longer bit-reproducible.
      LOG.warn(
          "worker '{}' runs ND4J with {} threads, another worker with {}: results stay close but"
              + " are no longer bit-identical to a single-process run (set OMP_NUM_THREADS alike)",
          id,
          threads,
          workerThreads);
    }
  }

  /**
   * Answers a heartbeat with this coordinator's own (its run id, step and version), or with an
   * {@code Error} if the worker is not a member: a coordinator restarted from a checkpoint does not
   * know the workers of its predecessor, and the error tells them to register again.
   */
  void onHeartbeat(Message<Object> message) {
    wire.received(message.body(), Kind.CONTROL);
    String type = Heartbeat.getDescriptor().getFullName();
    if (!(message.body() instanceof Heartbeat hb)) {
      counters.rejections.reject(Rejections.MALFORMED);
      wire.reply(
          message, wire.error(Error.Code.MALFORMED, "expected Heartbeat", type), Kind.CONTROL);
      return;
    }
    String id = hb.getWorkerId();
    boolean member = members.heartbeat(id, System.currentTimeMillis());
    if (member) {
      observer.onHeartbeat(id, hb.getLastStep());
    }
    if (member || members.isJoining(id)) {
      wire.reply(
          message,
          Heartbeat.newBuilder()
              .setHeader(wire.header())
              .setWorkerId(id)
              .setState(Heartbeat.State.IDLE)
              .setLastStep(at.step())
              .setTimestampUnixMillis(System.currentTimeMillis())
              .build(),
          Kind.CONTROL);
    } else {
      String detail = "worker '" + id + "' is not registered with this run";
      wire.reply(message, wire.error(Error.Code.STALE, detail, type), Kind.CONTROL);
    }
  }

  void onDisconnect(Message<Object> message) {
    wire.received(message.body(), Kind.CONTROL);
    if (!(message.body() instanceof Disconnect d)) {
      return;
    }
    String spoof =
        MembershipPolicy.disconnectRefusal(
            d, message.headers().get(Headers.NODE_ID), members.nodeOf(d.getWorkerId()));
    if (spoof != null) {
      counters.rejections.reject(Rejections.UNAUTHENTICATED);
      LOG.warn("ignored {}", spoof);
      return;
    }
    if (members.disconnect(d.getWorkerId())) {
      counters.death(Rejections.DISCONNECT);
      observer.onWorkerLost(d.getWorkerId(), RunObserver.WorkerLoss.DISCONNECT);
      LOG.info("worker '{}' left: {} {}", d.getWorkerId(), d.getReason(), d.getDetail());
    }
  }

  /**
   * A cluster node left (Hazelcast membership): its workers are evicted now and their shard
   * attempts in flight fail at once, so their shards are recomputed without waiting for a deadline.
   */
  void onNodeLeft(String node) {
    List<String> wereMembers = new ArrayList<>();
    List<String> gone = members.leftNode(node, wereMembers);
    for (String worker : wereMembers) {
      counters.death(Rejections.MEMBERSHIP);
      observer.onWorkerLost(worker, RunObserver.WorkerLoss.MEMBERSHIP);
      LOG.warn("evicted worker '{}': its cluster node {} left", worker, node);
    }
    gone.forEach(lost);
  }

  /** Evicts the members whose last heartbeat is older than the heartbeat timeout. */
  void evictSilent() {
    members
        .evictSilent(System.currentTimeMillis(), options.heartbeatTimeoutMs())
        .forEach(
            (worker, silentMs) -> {
              counters.death(Rejections.HEARTBEAT);
              observer.onWorkerLost(worker, RunObserver.WorkerLoss.HEARTBEAT);
              LOG.warn("evicted worker '{}': no heartbeat for {} ms", worker, silentMs);
            });
  }
}

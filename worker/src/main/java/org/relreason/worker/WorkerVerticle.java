package org.relreason.worker;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.spi.cluster.ClusterManager;
import java.util.concurrent.TimeUnit;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.observe.Traffic.Direction;
import org.relreason.observe.Traffic.Kind;
import org.relreason.observe.WorkerObserver;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.Headers;
import org.relreason.protocol.ProtoCodec;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.FeatureGradients;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Header;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;
import org.relreason.shard.ShardComputer;
import org.relreason.shard.ShardComputer.ViewsKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A parameter-server worker: registers with the coordinator, then answers {@link ShardTask}s. It
 * pulls parameters when a task names a version it does not hold, rebuilds its views from the seeded
 * augmentation, and runs all ND4J work on its own single-threaded {@link WorkerExecutor} (one model
 * replica, used by one thread at a time, never on the event loop).
 *
 * <p>The codecs of {@code org.relreason.protocol.Codecs} must be registered on the Vert.x instance
 * before deployment. {@link #start()} completes once the task consumer is registered and the
 * coordinator has accepted the worker; a refusal fails it with the coordinator's reason.
 *
 * <p>Heartbeats are requests: when {@value #MISSED_HEARTBEATS} in a row get no answer (the
 * coordinator's JVM is gone) or the coordinator answers that it does not know this worker (it was
 * restarted from a checkpoint), the worker registers again, once a second until a coordinator
 * accepts it, and takes the run id and parameters of whichever coordinator that is. In a cluster
 * shard results travel as the bytes of their protobuf encoding, which the coordinator decodes off
 * its event loop.
 */
public final class WorkerVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerVerticle.class);

  private final WorkerOptions options;
  private final TrainConfig config;
  private final ImageSet set;
  private final Normalization normalization;
  private WorkerExecutor executor;
  private ShardComputer computer;
  private StatisticsLayout layout;
  private MessageConsumer<Object> tasks;
  private MessageConsumer<Object> control;
  private final io.vertx.core.Promise<Disconnect> ended = io.vertx.core.Promise.promise();
  private ProtoCodec<ShardResult> resultCodec; // the bus's: with a run secret it adds the HMAC
  private static final int MISSED_HEARTBEATS = 3;
  private int missed;
  private boolean rejoining;
  private long heartbeatEveryMs = 1000;
  private String runId = "";
  private long installedVersion = -1;
  // parameters being installed (or fetched), of version pendingVersion; null when none are
  private Future<Void> pending;
  private long pendingVersion = -1;
  private long heartbeatTimer = -1;
  private long lastStep;
  private boolean stopping;
  private WorkerObserver observer = WorkerObserver.NONE;

  public WorkerVerticle(
      WorkerOptions options, TrainConfig config, ImageSet set, Normalization normalization) {
    this.options = options;
    this.config = config;
    this.set = set;
    this.normalization = normalization;
  }

  /** Reports shards, message bytes and versions to {@code o} (metrics); set before deployment. */
  public WorkerVerticle observer(WorkerObserver o) {
    this.observer = o;
    return this;
  }

  private String id() {
    return options.workerId();
  }

  @Override
  public Future<?> start() {
    executor =
        vertx.createSharedWorkerExecutor("relreason-worker-" + id(), 1, 10, TimeUnit.MINUTES);
    resultCodec = Codecs.registered(vertx.eventBus(), ShardResult.class);
    return executor
        .executeBlocking(() -> new ShardComputer(config, set, normalization), true)
        .compose(
            c -> {
              computer = c;
              layout = new StatisticsLayout(c.model().statisticsMask());
              tasks = vertx.eventBus().consumer(Addresses.workerTask(id()), this::onTask);
              control = vertx.eventBus().consumer(Addresses.workerControl(id()), this::onControl);
              return Future.all(tasks.completion(), control.completion());
            })
        .compose(v -> register())
        .onSuccess(this::startHeartbeats)
        // A failed start is not followed by stop(), and the worker role retries with a new
        // verticle (--register-attempts): free this one's model and executor now rather than at
        // the next garbage collection. (Vert.x itself unregisters a failed deployment's consumers.)
        .onFailure(e -> release());
  }

  /** Closes the executor, then the model (native memory): after a failed start, and in stop(). */
  private Future<Void> release() {
    return (executor == null ? Future.<Void>succeededFuture() : executor.close())
        .onComplete(
            v -> {
              if (computer != null) {
                computer.close();
                computer = null;
              }
            });
  }

  /** The Vert.x cluster node id of this process, or {@code null} when not clustered. */
  private String nodeId() {
    ClusterManager manager = ((VertxInternal) vertx).clusterManager();
    return manager == null ? null : manager.getNodeId();
  }

  /** Delivery options naming this worker's cluster node, which the coordinator checks. */
  private DeliveryOptions fromThisNode() {
    DeliveryOptions delivery = new DeliveryOptions();
    String node = nodeId();
    if (node != null) {
      delivery.addHeader(Headers.NODE_ID, node);
    }
    return delivery;
  }

  private Future<RegistrationReply> register() {
    WorkerHello hello =
        WorkerHello.newBuilder()
            .setHeader(Headers.of("", 0, 0, id()))
            .setWorkerId(id())
            .setHost(options.host())
            .setPid(ProcessHandle.current().pid())
            .setCapabilities(Device.capabilities())
            .setModelConfigHash(ModelConfigHash.of(config))
            .addSupportedProtocolVersions(Validation.PROTOCOL_VERSION)
            .setSoftwareVersion("0.1.0-SNAPSHOT")
            .setBackboneWidth(config.width())
            .setRepresentationSize(config.representationSize())
            .build();
    observer.onMessage(Direction.SENT, Kind.CONTROL, hello.getSerializedSize());
    return vertx
        .eventBus()
        .request(Addresses.COORDINATOR_REGISTER, hello, fromThisNode())
        .map(m -> (RegistrationReply) m.body())
        .onSuccess(r -> observer.onMessage(Direction.RECEIVED, Kind.CONTROL, r.getSerializedSize()))
        .compose(
            reply ->
                reply.getAccepted()
                    ? Future.succeededFuture(reply)
                    : Future.failedFuture(
                        new IllegalStateException(
                            "coordinator refused worker "
                                + id()
                                + ": "
                                + reply.getRefusalReason()
                                + ": "
                                + reply.getRefusalText())));
  }

  /** Completes when the coordinator ends the run or evicts this worker (with its reason). */
  public Future<Disconnect> ended() {
    return ended.future();
  }

  private void onControl(Message<Object> message) {
    // only the coordinator ends a worker (with a run secret, this header is authenticated)
    if (message.body() instanceof Disconnect d
        && d.getHeader().getSenderId().equals(Headers.COORDINATOR)) {
      LOG.info("worker {}: coordinator says {}: {}", id(), d.getReason(), d.getDetail());
      observer.onRegistered(false);
      ended.tryComplete(d);
    }
  }

  private void startHeartbeats(RegistrationReply reply) {
    runId = reply.getHeader().getRunId();
    missed = 0;
    heartbeatEveryMs = Math.max(50, reply.getHeartbeatIntervalMs());
    heartbeatTimer = vertx.setPeriodic(heartbeatEveryMs, t -> sendHeartbeat());
    // The first at once, while the coordinator has just answered: in a cluster the first send to
    // an address looks up its subscribers in Hazelcast, and that lookup blocks while the member
    // owning the address's partition is unreachable (another worker cut off by a partition), which
    // would leave this worker silent and evicted for it.
    sendHeartbeat();
    observer.onRegistered(true);
    LOG.info("worker {} joined run {} ({})", id(), runId, Device.capabilities().getDeviceName());
  }

  private void sendHeartbeat() {
    Heartbeat beat =
        Heartbeat.newBuilder()
            .setHeader(Headers.of(runId, lastStep, installedVersion, id()))
            .setWorkerId(id())
            .setState(Heartbeat.State.IDLE)
            .setLastStep(lastStep)
            .setTimestampUnixMillis(System.currentTimeMillis())
            .build();
    observer.onMessage(Direction.SENT, Kind.CONTROL, beat.getSerializedSize());
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(heartbeatEveryMs * 2);
    vertx
        .eventBus()
        .request(Addresses.HEARTBEAT, beat, opts)
        .onComplete(
            ar -> {
              if (rejoining || stopping) {
                return;
              }
              if (ar.succeeded() && ar.result().body() instanceof Heartbeat) {
                missed = 0;
              } else if (ar.succeeded()) {
                rejoin("the coordinator does not know this worker: " + ar.result().body());
              } else if (++missed >= MISSED_HEARTBEATS) {
                rejoin(missed + " heartbeats unanswered (" + describe(ar.cause()) + ")");
              }
            });
  }

  private static String describe(Throwable t) {
    return t instanceof ReplyException r ? r.failureType() + " " + r.getMessage() : t.toString();
  }

  /** Registers again until a coordinator accepts this worker; the process stays up meanwhile. */
  private void rejoin(String why) {
    if (rejoining || stopping || ended.future().isComplete()) {
      return;
    }
    rejoining = true;
    observer.onRegistered(false);
    vertx.cancelTimer(heartbeatTimer);
    LOG.warn("worker {}: coordinator lost ({}); registering again", id(), why);
    tryRejoin(1);
  }

  private void tryRejoin(int attempt) {
    if (stopping || ended.future().isComplete()) {
      return;
    }
    register()
        .onSuccess(
            reply -> {
              rejoining = false;
              installedVersion = -1; // the new coordinator's parameters, whatever version we held
              pending = null;
              startHeartbeats(reply);
            })
        .onFailure(
            e -> {
              if (String.valueOf(e.getMessage()).contains("RUN_FINISHED")) {
                // the run ended while this worker was away (e.g. evicted for a late heartbeat
                // under load, so the coordinator's Disconnect went to its members only): without
                // this the worker would retry forever after the coordinator has gone
                LOG.info("worker {}: the run has finished", id());
                observer.onRegistered(false);
                ended.tryComplete(
                    Disconnect.newBuilder()
                        .setHeader(Headers.of(runId, lastStep, installedVersion, id()))
                        .setWorkerId(id())
                        .setReason(Disconnect.Reason.RUN_FINISHED)
                        .setDetail(String.valueOf(e.getMessage()))
                        .build());
                return;
              }
              if (String.valueOf(e.getMessage()).contains("DUPLICATE_WORKER_ID")) {
                // the coordinator still counts this worker as a member: it was not lost after all
                rejoining = false;
                heartbeatTimer = vertx.setPeriodic(heartbeatEveryMs, t -> sendHeartbeat());
                return;
              }
              if (attempt % 10 == 1) {
                LOG.info(
                    "worker {}: registration attempt {} failed: {}", id(), attempt, e.toString());
              }
              vertx.setTimer(1000, t -> tryRejoin(attempt + 1));
            });
  }

  private void onTask(Message<Object> message) {
    // Refusals carry no run id: the sender may be guessing it.
    Header refusal = Headers.of("", 0, 0, id());
    if (!(message.body() instanceof ShardTask task)) {
      message.reply(
          error(Error.Code.MALFORMED, "expected a ShardTask", null).toBuilder()
              .setHeader(refusal)
              .build());
      return;
    }
    observer.onMessage(Direction.RECEIVED, Kind.TASK, task.getSerializedSize());
    long received = System.nanoTime();
    try {
      Validation.check(task, runId);
    } catch (ProtocolException e) {
      message.reply(e.toError(refusal));
      return;
    }
    ensureParams(task)
        .compose(v -> task.getMode() == ShardingMode.VIEWS ? views(task) : images(task))
        .onComplete(
            ar -> {
              if (stopping) {
                return; // an undeployed worker answers nothing; the coordinator reassigns
              }
              if (ar.succeeded()) {
                lastStep = task.getHeader().getStep();
                ShardResult r = ar.result();
                observer.onMessage(Direction.SENT, Kind.GRADIENTS, r.getSerializedSize());
                int views =
                    task.getMode() == ShardingMode.VIEWS
                        ? r.getImageCount()
                        : r.getImageCount() * computer.model().viewsPerImage();
                observer.onShard(views, (System.nanoTime() - received) / 1e9);
                reply(message, r);
              } else {
                LOG.warn("worker {}: task failed: {}", id(), ar.cause().toString());
                message.reply(error(Error.Code.INTERNAL, ar.cause().toString(), task.getHeader()));
              }
            });
  }

  /**
   * Replies with the result; in a cluster as the bytes of its encoding, made off the event loop, so
   * that the coordinator can decode them off its own (see the class comment).
   */
  private void reply(Message<Object> message, ShardResult result) {
    if (!vertx.isClustered()) {
      message.reply(result);
      return;
    }
    vertx
        .executeBlocking(
            () -> {
              io.vertx.core.buffer.Buffer bytes =
                  io.vertx.core.buffer.Buffer.buffer(result.getSerializedSize() + Integer.BYTES);
              resultCodec.encodeDetached(bytes, result);
              return bytes;
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                message.reply(ar.result());
              } else {
                message.reply(
                    error(Error.Code.INTERNAL, ar.cause().toString(), result.getHeader()));
              }
            });
  }

  /**
   * Installs the task's parameter version unless the replica holds it already: from the task when
   * the coordinator pushed it there, else fetched with a {@code ParameterRequest}. A task that
   * comes while its version is being installed waits for that install: the coordinator sends the
   * parameters with a worker's first task of a step only, and a second shard of the step must not
   * fetch them again (a transfer of the whole model; in a cluster, a first lookup of the parameter
   * address, which stalls while a Hazelcast member is unreachable).
   */
  private Future<Void> ensureParams(ShardTask task) {
    long version = task.getHeader().getParamVersion();
    if (installedVersion == version) {
      return Future.succeededFuture();
    }
    if (pending != null && pendingVersion == version) {
      return pending;
    }
    Future<Void> installing =
        task.hasParams() && task.getParams().getHeader().getParamVersion() == version
            ? install(version, task.getParams())
            : fetch(version);
    pending = installing;
    pendingVersion = version;
    installing.onComplete(
        ar -> {
          if (pending == installing) {
            pending = null;
          }
        });
    return installing;
  }

  /** Fetches parameter version {@code version} with a {@code ParameterRequest}, installs it. */
  private Future<Void> fetch(long version) {
    ParameterRequest request =
        ParameterRequest.newBuilder()
            .setHeader(Headers.of(runId, 0, version, id()))
            .setWorkerId(id())
            .setHaveVersion(Math.max(0, installedVersion))
            .build();
    observer.onMessage(Direction.SENT, Kind.CONTROL, request.getSerializedSize());
    return vertx
        .eventBus()
        .request(Addresses.COORDINATOR_PARAMS, request)
        .compose(
            m -> {
              if (!(m.body() instanceof ParameterSnapshot snapshot)) {
                return Future.failedFuture("parameter request refused: " + m.body());
              }
              observer.onMessage(Direction.RECEIVED, Kind.PARAMETERS, snapshot.getSerializedSize());
              long got = snapshot.getHeader().getParamVersion();
              if (got != version) {
                return Future.failedFuture(
                    "asked for parameter version " + version + ", got " + got);
              }
              return install(version, snapshot);
            });
  }

  /** Installs {@code snapshot} (parameter version {@code version}) in the replica. */
  private Future<Void> install(long version, ParameterSnapshot snapshot) {
    return executor
        .<Void>executeBlocking(
            () -> {
              float[] params = Tensors.toFloats(snapshot.getParams(), "ParameterSnapshot.params");
              computer.install(version, params);
              return null;
            },
            true)
        .onSuccess(
            v -> {
              installedVersion = version;
              observer.onParameterVersion(version);
            });
  }

  private Future<ShardResult> images(ShardTask task) {
    int[] images = ints(task.getImageIndicesList());
    long t0 = System.nanoTime();
    // The result message (a copy of the whole gradient) is built on the executor too.
    return executor.executeBlocking(
        () -> {
          var out =
              computer.images(
                  images,
                  task.getEpoch(),
                  ints(task.getLabelsList()),
                  task.getClassWeightsList().stream().mapToDouble(Double::doubleValue).toArray());
          return result(task, out.gradient(), t0)
              .setLossSum(out.stats().lossSum())
              .setPairCount(out.stats().pairs())
              .setPositivePairs(out.stats().positives())
              .setPositiveCorrect(out.stats().positivesCorrect())
              .setNegativeCorrect(out.stats().negativesCorrect())
              .setImageCount(images.length)
              .build();
        },
        true);
  }

  private Future<ShardResult> views(ShardTask task) {
    int[] images = ints(task.getImageIndicesList());
    int[] rows = rows(task);
    Header h = task.getHeader();
    ViewsKey key = new ViewsKey(h.getStep(), h.getParamVersion(), task.getShardId());
    long t0 = System.nanoTime();
    DeliveryOptions opts = new DeliveryOptions().setSendTimeout(options.featuresTimeoutMs());
    return executor
        .executeBlocking(() -> computer.forwardRows(key, images, rows, task.getEpoch()), true)
        .compose(
            f -> {
              Features out = features(task, f, rows.length);
              observer.onMessage(Direction.SENT, Kind.FEATURES, out.getSerializedSize());
              return vertx.eventBus().request(Addresses.COORDINATOR_FEATURES, out, opts);
            })
        .compose(
            m -> {
              if (!(m.body() instanceof FeatureGradients g)) {
                return Future.failedFuture("features refused: " + m.body());
              }
              observer.onMessage(Direction.RECEIVED, Kind.FEATURE_GRADIENTS, g.getSerializedSize());
              float[] d = Tensors.toFloats(g.getGradients(), "FeatureGradients.gradients");
              return executor.executeBlocking(
                  () -> {
                    float[] grad = computer.backwardRows(key, images, rows, task.getEpoch(), d);
                    return result(task, grad, t0).setImageCount(rows.length).build();
                  },
                  true);
            });
  }

  /** View-major rows {@code v*M + n} of the task's view numbers {@code n*K + v}. */
  private static int[] rows(ShardTask task) {
    int m = task.getImageIndicesCount();
    int k = task.getK();
    return task.getViewIndicesList().stream().mapToInt(i -> (i % k) * m + i / k).toArray();
  }

  private Features features(ShardTask task, float[] f, int rows) {
    return Features.newBuilder()
        .setHeader(header(task.getHeader()))
        .setShardId(task.getShardId())
        .addAllViewIndices(task.getViewIndicesList())
        .setFeatures(Tensors.float32(f, rows, f.length / Math.max(1, rows)))
        .build();
  }

  private ShardResult.Builder result(ShardTask task, float[] full, long t0) {
    return ShardResult.newBuilder()
        .setHeader(header(task.getHeader()))
        .setShardId(task.getShardId())
        .setGradient(Tensors.float32(layout.withoutStatistics(full), full.length))
        .setBnStatDeltas(Tensors.float32(layout.gather(full), layout.count()))
        .addAllBnStatRanges(layout.ranges())
        .setComputeMicros((System.nanoTime() - t0) / 1000);
  }

  /** A reply header echoing the task's step and parameter version. */
  private Header header(Header task) {
    return Headers.of(runId, task.getStep(), task.getParamVersion(), id());
  }

  private Error error(Error.Code code, String detail, Header about) {
    Header h = about == null ? Headers.of(runId, 0, 0, id()) : header(about);
    return Error.newBuilder()
        .setHeader(h)
        .setCode(code)
        .setDetail(detail)
        .setMessageType(ShardTask.getDescriptor().getFullName())
        .build();
  }

  private static int[] ints(java.util.List<Integer> values) {
    return values.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    if (heartbeatTimer >= 0) {
      vertx.cancelTimer(heartbeatTimer);
    }
    vertx
        .eventBus()
        .send(
            Addresses.COORDINATOR_DISCONNECT,
            Disconnect.newBuilder()
                .setHeader(Headers.of(runId, lastStep, installedVersion, id()))
                .setWorkerId(id())
                .setReason(Disconnect.Reason.SHUTDOWN)
                .setDetail("worker undeployed")
                .build(),
            fromThisNode());
    Future<Void> closed =
        tasks == null
            ? Future.succeededFuture()
            : Future.all(tasks.unregister(), control.unregister()).mapEmpty();
    return closed.eventually(() -> release());
  }
}

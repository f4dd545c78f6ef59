package org.relreason.coordinator;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.relreason.coordinator.ResultCheck.Accepted;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.method.DeepClusterModel;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.MinibatchSchedule;
import org.relreason.model.train.Optimizers;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.RelationalModel;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.StepTimes;
import org.relreason.observe.Traffic.Direction;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.Headers;
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
import org.relreason.protocol.v1.RegistrationReply.RefusalReason;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.protocol.v1.WorkerHello;
import org.relreason.shard.ModelConfigHash;
import org.relreason.shard.ParameterServerSupport;
import org.relreason.shard.ShardComputer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The parameter server. Owns the master parameters, the optimizer, the minibatch schedule and the
 * step loop: plan shards → send tasks → fan-in with deadlines (a shard that fails, times out or
 * sends non-finite numbers is recomputed by another worker in the same step) → aggregate in shard
 * order ({@link GradientAggregator}) → the method's optimizer → new parameter version → checkpoint.
 * In VIEWS mode it also runs the relation head and loss over all pairs of the minibatch.
 *
 * <p>The master model is the configured method's {@code PretrainModel}, built as the single process
 * builds it, with that method's optimizer (Adam, or SGD with its schedule for the supervised
 * baseline). In IMAGES mode each shard's gradient is weighted by the method's count of loss terms
 * in the shard ({@link PretrainModel#lossTerms}: pairs for relational reasoning, anchors for
 * SimCLR, rotated views for RotationNet, images for the supervised baseline and DeepCluster), which
 * {@link ResultCheck} also requires the worker's reply to state. DeepCluster clusters here, with
 * the master parameters, at each epoch start ({@code prepareEpoch}); its tasks carry the
 * pseudo-labels. What is refused: {@link ParameterServerSupport}.
 *
 * <p>The verticle routes messages and owns the step loop's futures; the work is in parts with one
 * concern each and no Vert.x: {@link Membership} (who takes part), {@link StepRound} (the step in
 * flight), {@link ViewsObjective} (VIEWS mode's head and loss), {@link ParameterStore} (parameters
 * and optimizer), {@link Checkpointer} (when to checkpoint, what to resume), {@link
 * GradientAggregator}, {@link ResultCheck}, {@link NormBound} and {@link ShardPlanner}.
 *
 * <p>The shard plan depends only on the configured worker count, never on which workers are alive,
 * so a step's result does not depend on who computed what. All state lives on this verticle's event
 * loop; ND4J work (objective, aggregation, optimizer) runs on one ordered worker executor.
 */
public final class CoordinatorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorVerticle.class);
  private static final String ME = Headers.COORDINATOR;
  private static final int FINAL_CHECKPOINT_TRIES = 5;

  private final CoordinatorOptions options;
  private final TrainConfig config;
  private final ImageSet set;
  private final String configHash;
  private final Promise<RunResult> done = Promise.promise();
  private final Membership members = new Membership();
  private final List<Double> losses = new ArrayList<>();
  private final List<Double> stepMillis = new ArrayList<>();
  private final List<float[]> gradients = new ArrayList<>();
  private final Counters counters = new Counters();
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private final Map<String, Set<Promise<Accepted>>> inFlight = new HashMap<>();
  private MembershipWatch membership;
  private WorkerExecutor executor;
  private PretrainModel model;
  private StatisticsLayout layout;
  private ResultCheck check;
  private GradientAggregator aggregator;
  private ViewsObjective objective;
  private MinibatchSchedule schedule;
  private Checkpointer checkpoints;
  private NormBound.Recent norms;
  // volatile: read by currentParams() from other threads
  private volatile ParameterStore parameters;
  private ParameterSnapshot snapshot;
  private long version;
  private long step;
  private int epoch;
  private int stepInEpoch;
  private long total;
  private TrainListener listener = new TrainListener() {};
  private RunObserver observer = RunObserver.NONE;
  private StepStats epochStats;
  private long loopStartNanos;
  private long loopStartStep = -1;
  private boolean running;
  private Normalization normalization;
  private int preparedEpoch = -1;
  private double[] classWeights;
  private int workerThreads = -1;
  private long loopStart;
  private StepRound current;

  /**
   * Mutable counters behind {@link FaultCounters}. Every refused message and every lost worker is
   * counted once, in {@link Rejections} (which also feeds the metrics); the record's per-kind
   * fields are read from it, not counted a second time.
   */
  private static final class Counters {
    long timeouts, reassigned, workerErrors, refused;
    final Rejections rejections = new Rejections();

    FaultCounters snapshot() {
      Map<String, Long> rejected = rejections.rejected();
      Map<String, Long> deaths = rejections.deaths();
      return new FaultCounters(
          rejected.getOrDefault(Rejections.NON_FINITE, 0L),
          rejected.getOrDefault(Rejections.STALE, 0L),
          rejected.getOrDefault(Rejections.DUPLICATE, 0L),
          rejected.getOrDefault(Rejections.LATE, 0L),
          timeouts,
          reassigned,
          workerErrors,
          refused,
          deaths.values().stream().mapToLong(Long::longValue).sum(),
          rejected,
          deaths);
    }

    /** Counts a refused message under its reason. */
    void reject(ProtocolException e) {
      rejections.reject(e.code());
    }

    void late() {
      rejections.reject(Rejections.LATE);
    }

    void duplicate() {
      rejections.reject(Rejections.DUPLICATE);
    }

    void death(String cause) {
      rejections.death(cause);
    }
  }

  /** A shard's result that passed {@link ResultCheck}, with its {@link NormBound#norms}. */
  private record Checked(Accepted accepted, double[] norms) {}

  /**
   * @throws IllegalArgumentException naming the config key and value if the parameter server does
   *     not train this configuration in this sharding mode ({@link ParameterServerSupport})
   */
  public CoordinatorVerticle(CoordinatorOptions options, TrainConfig config, ImageSet set) {
    ParameterServerSupport.check(config, options.mode());
    this.options = options;
    this.config = config;
    this.set = set;
    this.configHash = ModelConfigHash.of(config);
    this.normalization = Datasets.normalization(config.dataset());
  }

  /**
   * The normalisation of the training images (default: the configured dataset's), which
   * DeepCluster's clustering applies as the workers do. Set before deployment.
   */
  public CoordinatorVerticle normalization(Normalization n) {
    this.normalization = n;
    return this;
  }

  /**
   * Receives a {@link StepReport} after every step and the epoch statistics at each epoch's end, on
   * the event loop (keep it quick). Set before deployment.
   */
  public CoordinatorVerticle listener(TrainListener l) {
    this.listener = l;
    return this;
  }

  /**
   * Receives workers, phase times, refusals, message bytes and checkpoints (metrics, dashboard), on
   * the event loop. Set before deployment.
   */
  public CoordinatorVerticle observer(RunObserver o) {
    this.observer = o;
    // every refusal is counted through Rejections (also from the threads that decode results)
    counters.rejections.listener(
        reason ->
            o.onRejected(RunObserver.Rejection.valueOf(reason.toUpperCase(java.util.Locale.ROOT))));
    return this;
  }

  /**
   * A copy of the current parameters (consistent: never in the middle of an Adam step), for
   * read-only uses such as the dashboard's image retrieval; null before the model is built. Blocks
   * briefly; call off the event loop.
   */
  public float[] currentParams() {
    ParameterStore p = parameters;
    return p == null ? null : p.copy();
  }

  /** Completes with the run's result after the last step (or fails if the run cannot go on). */
  public Future<RunResult> result() {
    return done.future();
  }

  /** What was refused or recovered from so far. */
  public FaultCounters faults() {
    return counters.snapshot();
  }

  /**
   * Counts a connection the event-bus {@code FrameGuard} closed for an oversize frame (reason
   * {@link Rejections#OVERSIZE}); thread-safe.
   */
  public void frameRefused(String detail) {
    counters.rejections.reject(Rejections.OVERSIZE);
  }

  /**
   * Counts a message the event bus refused before it reached a handler (run secret mode: its HMAC
   * failed or it had none), under the reason of its code; thread-safe.
   */
  public void messageRefused(ProtocolException e) {
    counters.reject(e);
  }

  @Override
  public Future<?> start() {
    executor = vertx.createSharedWorkerExecutor("relreason-coordinator", 1, 10, TimeUnit.MINUTES);
    return executor
        .executeBlocking(this::initialise, true)
        .compose(
            v -> {
              consumers.add(
                  vertx
                      .eventBus()
                      .consumer(Addresses.COORDINATOR_REGISTER, decoded(this::onHello)));
              consumers.add(
                  vertx.eventBus().consumer(Addresses.COORDINATOR_PARAMS, decoded(this::onParams)));
              consumers.add(
                  vertx
                      .eventBus()
                      .consumer(Addresses.COORDINATOR_FEATURES, decoded(this::onFeatures)));
              consumers.add(
                  vertx.eventBus().consumer(Addresses.HEARTBEAT, decoded(this::onHeartbeat)));
              consumers.add(
                  vertx
                      .eventBus()
                      .consumer(Addresses.COORDINATOR_DISCONNECT, decoded(this::onDisconnect)));
              vertx.setPeriodic(options.heartbeatIntervalMs(), t -> evictSilent());
              observer.onRunState(RunObserver.RunState.WAITING);
              membership = MembershipWatch.start(vertx, this::onNodeLeft);
              return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
            });
  }

  /**
   * Builds the master model and its optimizer exactly as the single-process trainer does; resumes a
   * checkpoint.
   */
  private Void initialise() throws java.io.IOException {
    model = ShardComputer.newModel(config, set);
    layout = new StatisticsLayout(model.statisticsMask());
    check =
        new ResultCheck(
            options.runId(),
            layout,
            options.mode(),
            model::lossTerms,
            // the bus's own codec: with a run secret, results' bytes carry its HMAC
            Codecs.registered(vertx.eventBus(), ShardResult.class));
    aggregator = new GradientAggregator(model.statisticsMask(), (int) model.backboneParams());
    if (options.mode() == ShardingMode.VIEWS) { // VIEWS: relational reasoning only
      objective = new ViewsObjective((RelationalModel) model, config.m(), config.k());
    }
    schedule = MinibatchSchedule.of(config, set.size());
    total = schedule.totalSteps(config);
    parameters = new ParameterStore(model, Optimizers.forRun(model, config, total));
    norms = options.normBound().recent();
    checkpoints = new Checkpointer(config);
    var latest = checkpoints.resume(options);
    if (latest.isPresent()) {
      Checkpoint c = latest.get().checkpoint();
      parameters.restore(c.params(), c.adam());
      epoch = c.epoch();
      stepInEpoch = c.stepInEpoch();
      step = c.globalStep();
      version = step;
      LOG.info("coordinator resumed from {} at step {}", latest.get().file(), step);
    }
    return null;
  }

  /**
   * {@code handler}, after decoding the body: a body from another JVM is decoded lazily, on the
   * first {@code body()}, so a malformed protobuf would otherwise throw inside the handler, be
   * neither answered nor counted. It is answered with the typed {@code Error} and counted instead.
   */
  private Handler<Message<Object>> decoded(Handler<Message<Object>> handler) {
    return message -> {
      try {
        message.body();
      } catch (ProtocolException e) {
        counters.reject(e);
        LOG.warn("refused a message to {}: {}", message.address(), e.getMessage());
        reply(message, e.toError(refusalHeader()), Kind.CONTROL);
        return;
      }
      handler.handle(message);
    };
  }

  // ---- membership -------------------------------------------------------------------------

  private void onHello(Message<Object> message) {
    received(message.body(), Kind.CONTROL);
    if (!(message.body() instanceof WorkerHello hello)) {
      counters.rejections.reject(Rejections.MALFORMED);
      reply(
          message,
          error(
              Error.Code.MALFORMED,
              "expected WorkerHello",
              WorkerHello.getDescriptor().getFullName()),
          Kind.CONTROL);
      return;
    }
    String refusal = null;
    RefusalReason reason = RefusalReason.REFUSAL_UNSPECIFIED;
    String id = hello.getWorkerId();
    if (hello.getHeader().getProtocolVersion() != Validation.PROTOCOL_VERSION
        && !hello.getSupportedProtocolVersionsList().contains(Validation.PROTOCOL_VERSION)) {
      reason = RefusalReason.PROTOCOL_VERSION_MISMATCH;
      refusal =
          "worker speaks protocol version "
              + hello.getHeader().getProtocolVersion()
              + " (supports "
              + hello.getSupportedProtocolVersionsList()
              + "), this coordinator speaks "
              + Validation.PROTOCOL_VERSION;
    } else if (!configHash.equals(hello.getModelConfigHash())) {
      reason = RefusalReason.MODEL_CONFIG_MISMATCH;
      refusal =
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
              + ")";
    } else if (!Addresses.isValidWorkerId(id)) {
      refusal = "worker id '" + id + "' is not 1-128 characters of [A-Za-z0-9_-]";
    } else if (members.taken(id)) {
      reason = RefusalReason.DUPLICATE_WORKER_ID;
      refusal = "a live worker already uses id '" + id + "'";
    } else if (MembershipPolicy.fullRefusal(members.registered(), options.workers()) != null) {
      reason = RefusalReason.RUN_FULL;
      refusal = MembershipPolicy.fullRefusal(members.registered(), options.workers());
    } else if (done.future().isComplete()) {
      reason = RefusalReason.RUN_FINISHED;
      refusal = "the run has finished";
    }
    RegistrationReply.Builder reply =
        RegistrationReply.newBuilder()
            .setHeader(header(step, version))
            .setHeartbeatIntervalMs(options.heartbeatIntervalMs())
            .setHeartbeatTimeoutMs(options.heartbeatTimeoutMs());
    if (refusal != null) {
      counters.refused++;
      switch (reason) {
        case PROTOCOL_VERSION_MISMATCH -> counters.rejections.reject(Rejections.PROTOCOL_VERSION);
        case MODEL_CONFIG_MISMATCH -> counters.rejections.reject(Rejections.CONFIG_HASH);
        default -> {}
      }
      LOG.warn("refused worker '{}': {}: {}", id, reason, refusal);
      RegistrationReply r =
          reply.setAccepted(false).setRefusalReason(reason).setRefusalText(refusal).build();
      reply(message, r, Kind.CONTROL);
      return;
    }
    // A worker joins at the next step boundary; before the first step that is now.
    members.register(
        id, message.headers().get(Headers.NODE_ID), running, System.currentTimeMillis());
    int threads = hello.getCapabilities().getThreads();
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
    reply(message, accepted, Kind.CONTROL);
    if (!running && members.size() >= options.workers()) {
      running = true;
      observer.onRunState(RunObserver.RunState.RUNNING);
      loopStart = System.nanoTime();
      vertx.runOnContext(v -> loop());
    }
  }

  /**
   * Answers a heartbeat with this coordinator's own (its run id, step and version), or with an
   * {@code Error} if the worker is not a member: a coordinator restarted from a checkpoint does not
   * know the workers of its predecessor, and the error tells them to register again.
   */
  private void onHeartbeat(Message<Object> message) {
    received(message.body(), Kind.CONTROL);
    if (!(message.body() instanceof Heartbeat hb)) {
      counters.rejections.reject(Rejections.MALFORMED);
      reply(
          message,
          error(
              Error.Code.MALFORMED, "expected Heartbeat", Heartbeat.getDescriptor().getFullName()),
          Kind.CONTROL);
      return;
    }
    String id = hb.getWorkerId();
    boolean member = members.heartbeat(id, System.currentTimeMillis());
    if (member) {
      observer.onHeartbeat(id, hb.getLastStep());
    }
    if (member || members.isJoining(id)) {
      reply(
          message,
          Heartbeat.newBuilder()
              .setHeader(header(step, version))
              .setWorkerId(id)
              .setState(Heartbeat.State.IDLE)
              .setLastStep(step)
              .setTimestampUnixMillis(System.currentTimeMillis())
              .build(),
          Kind.CONTROL);
    } else {
      reply(
          message,
          error(
              Error.Code.STALE,
              "worker '" + id + "' is not registered with this run",
              Heartbeat.getDescriptor().getFullName()),
          Kind.CONTROL);
    }
  }

  private void onDisconnect(Message<Object> message) {
    received(message.body(), Kind.CONTROL);
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
  private void onNodeLeft(String node) {
    List<String> wereMembers = new ArrayList<>();
    List<String> gone = members.leftNode(node, wereMembers);
    for (String worker : wereMembers) {
      counters.death(Rejections.MEMBERSHIP);
      observer.onWorkerLost(worker, RunObserver.WorkerLoss.MEMBERSHIP);
      LOG.warn("evicted worker '{}': its cluster node {} left", worker, node);
    }
    for (String worker : gone) {
      for (Promise<Accepted> p : List.copyOf(inFlight.getOrDefault(worker, Set.of()))) {
        p.tryFail(new WorkerLostException("worker '" + worker + "' left the cluster"));
      }
    }
  }

  /** A shard attempt failed because its worker's node left the cluster. */
  private static final class WorkerLostException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerLostException(String message) {
      super(message);
    }
  }

  private void evictSilent() {
    members
        .evictSilent(System.currentTimeMillis(), options.heartbeatTimeoutMs())
        .forEach(
            (worker, silentMs) -> {
              counters.death(Rejections.HEARTBEAT);
              observer.onWorkerLost(worker, RunObserver.WorkerLoss.HEARTBEAT);
              LOG.warn("evicted worker '{}': no heartbeat for {} ms", worker, silentMs);
            });
  }

  private void evict(String worker, String why) {
    if (members.remove(worker)) {
      counters.death(Rejections.DEADLINE);
      observer.onWorkerLost(worker, RunObserver.WorkerLoss.DEADLINE);
      LOG.warn("evicted worker '{}': {}", worker, why);
    }
  }

  // ---- parameters -------------------------------------------------------------------------

  private void onParams(Message<Object> message) {
    received(message.body(), Kind.CONTROL);
    if (!(message.body() instanceof ParameterRequest request)) {
      counters.rejections.reject(Rejections.MALFORMED);
      reply(
          message,
          error(
              Error.Code.MALFORMED,
              "expected ParameterRequest",
              ParameterRequest.getDescriptor().getFullName()),
          Kind.CONTROL);
      return;
    }
    try {
      Validation.check(request, options.runId());
    } catch (ProtocolException e) {
      counters.reject(e);
      reply(message, e.toError(refusalHeader()), Kind.CONTROL);
      return;
    }
    if (snapshot == null || snapshot.getHeader().getParamVersion() != version) {
      snapshot = snapshot(step, version);
    }
    reply(message, snapshot, Kind.PARAMETERS);
  }

  private ParameterSnapshot snapshot(long s, long v) {
    return parameters.snapshot(header(s, v), configHash);
  }

  // ---- the step loop ----------------------------------------------------------------------

  private void loop() {
    if (step >= total) {
      finish();
      return;
    }
    long t0 = System.nanoTime();
    if (loopStartStep < 0) {
      loopStartStep = step;
      loopStartNanos = t0;
    }
    prepareEpoch()
        .compose(v -> runStep())
        .onSuccess(
            v -> {
              stepMillis.add((System.nanoTime() - t0) / 1e6);
              loop();
            })
        .onFailure(
            e -> {
              LOG.error("step {} failed: {}", step, e.toString());
              observer.onRunState(RunObserver.RunState.FAILED);
              done.tryFail(e);
            });
  }

  private void finish() {
    double seconds = (System.nanoTime() - loopStart) / 1e9;
    // workers that registered during the last step are told too, or they would wait for tasks
    for (String worker : members.everyone()) {
      Disconnect bye =
          Disconnect.newBuilder()
              .setHeader(header(step, version))
              .setWorkerId(worker)
              .setReason(Disconnect.Reason.RUN_FINISHED)
              .setDetail("the run reached step " + step)
              .build();
      observer.onMessage(Direction.SENT, Kind.CONTROL, bye.getSerializedSize());
      vertx.eventBus().send(Addresses.workerControl(worker), bye);
    }
    observer.onRunState(RunObserver.RunState.FINISHED);
    done.tryComplete(
        new RunResult(
            losses.stream().mapToDouble(Double::doubleValue).toArray(),
            stepMillis.stream().mapToDouble(Double::doubleValue).toArray(),
            parameters.copy(),
            List.copyOf(gradients),
            counters.snapshot(),
            seconds));
  }

  /**
   * The method's start-of-epoch work, where the single-process trainer does it: before the first
   * step of every epoch and before the first step after a start or resume. DeepCluster clusters the
   * training set with the current parameters, re-initialises its head and the head's optimizer
   * state; its tasks then carry their images' pseudo-labels and the class weights. Parameters that
   * changed become a new version, which the workers fetch with their next task.
   */
  private Future<Void> prepareEpoch() {
    if (preparedEpoch == epoch) {
      return Future.succeededFuture();
    }
    int e = epoch;
    return executor
        .executeBlocking(
            () -> {
              model.beforeEpoch(e, set, normalization, parameters.optimizer());
              return parameters.adopt(model.paramsVector());
            },
            true)
        .map(
            changed -> {
              preparedEpoch = e;
              classWeights = model instanceof DeepClusterModel dc ? dc.classWeights() : null;
              if (changed) {
                version++;
              }
              return null;
            });
  }

  private Future<Void> runStep() {
    members.admitJoining(System.currentTimeMillis());
    int[] images = schedule.images(epoch, stepInEpoch);
    List<Shard> shards =
        ShardPlanner.plan(options.mode(), config.m(), config.k(), options.workers());
    FeatureRound round =
        options.mode() == ShardingMode.VIEWS
            ? new FeatureRound(shards, config.m() * config.k(), model.backbone().featureSize())
            : null;
    StepRound st = new StepRound(step, version, epoch, images, shards, round);
    current = st;
    List<String> live = members.live();
    List<Future<Accepted>> results = new ArrayList<>();
    for (Shard shard : shards) {
      String preferred = live.isEmpty() ? null : live.get(shard.id() % live.size());
      results.add(compute(st, shard, preferred, st.tried.get(shard.id())));
    }
    st.sent = System.nanoTime();
    return fanIn(st, results);
  }

  /**
   * Waits for every shard's result, then applies the step. The shards' gradients are checked for
   * NaN and infinity while they are summed (the one time they are read); shards found non-finite
   * there are refused, counted and recomputed by other workers, and the step aggregated again.
   */
  private Future<Void> fanIn(StepRound st, List<Future<Accepted>> results) {
    return Future.join(results)
        .transform(
            ar -> {
              List<Accepted> accepted = new ArrayList<>();
              for (Future<Accepted> f : results) {
                if (f.failed()) {
                  return Future.failedFuture(f.cause());
                }
                accepted.add(f.result());
              }
              Map<Integer, ProtocolException> outliers = outliers(st);
              if (!outliers.isEmpty()) {
                return fanIn(st, recompute(st, results, outliers));
              }
              return apply(st, accepted)
                  .recover(
                      e ->
                          e instanceof GradientAggregator.NonFiniteShards bad
                              ? fanIn(st, recompute(st, results, bad.refusals()))
                              : Future.failedFuture(e));
            });
  }

  /**
   * The shards whose norms are outside the {@link NormBound}, with their refusals. A shard is not
   * refused when another worker computed the same gradient norm for it (the data's, not a peer's
   * doing: results are deterministic) or when no other worker is left to compute it.
   */
  private Map<Integer, ProtocolException> outliers(StepRound st) {
    Map<Integer, ProtocolException> out = new TreeMap<>();
    for (int s = 0; s < st.shards.size(); s++) {
      ProtocolException e = norms.check(st.step, st.norms[s]);
      if (e == null) {
        continue;
      }
      double g = st.norms[s][0];
      boolean reproduced =
          st.outlierNorms.get(s).stream().anyMatch(n -> Math.abs(n - g) <= 1e-9 * Math.abs(g));
      Set<String> tried = st.tried.get(s);
      String by = st.computedBy[s];
      boolean alone = !members.anotherThan(by, tried);
      if (reproduced || alone) {
        LOG.warn(
            "step {} shard {}: {}; applied, {}",
            st.step,
            s,
            e.getMessage(),
            reproduced ? "another worker computed the same" : "no other worker to recompute it");
        continue;
      }
      st.outlierNorms.get(s).add(g);
      out.put(s, e);
    }
    return out;
  }

  /** {@code results} with the refused shards' results replaced by new attempts elsewhere. */
  private List<Future<Accepted>> recompute(
      StepRound st, List<Future<Accepted>> results, Map<Integer, ProtocolException> refusals) {
    List<Future<Accepted>> again = new ArrayList<>(results);
    refusals.forEach(
        (s, e) -> {
          String worker = st.computedBy[s];
          counters.reject(e);
          LOG.warn("refused result of '{}': {}", worker, e.getMessage());
          st.tried.get(s).add(worker);
          counters.reassigned++;
          observer.onShardReassigned();
          again.set(s, compute(st, st.shards.get(s), null, st.tried.get(s)));
        });
    return again;
  }

  /** One shard, retried on other live workers until one returns an acceptable result. */
  private Future<Accepted> compute(StepRound st, Shard shard, String preferred, Set<String> tried) {
    String worker = members.pick(shard, preferred, tried);
    if (worker == null) {
      return Future.failedFuture(
          new IllegalStateException(
              "step "
                  + st.step
                  + ": no live worker left for shard "
                  + shard.id()
                  + " (tried "
                  + tried
                  + ")"));
    }
    return attempt(st, shard, worker)
        .recover(
            e -> {
              tried.add(worker);
              if (e instanceof TimeoutException) {
                evict(worker, e.getMessage());
              }
              counters.reassigned++;
              observer.onShardReassigned();
              LOG.warn(
                  "step {} shard {} on '{}' failed ({}); recomputing elsewhere",
                  st.step,
                  shard.id(),
                  worker,
                  e.getMessage());
              return compute(st, shard, null, tried);
            });
  }

  private Future<Accepted> attempt(StepRound st, Shard shard, String worker) {
    Promise<Accepted> promise = Promise.promise();
    DeliveryOptions delivery = new DeliveryOptions().setSendTimeout(options.deadlineMs() * 20);
    ShardTask task = task(st, shard, worker);
    observer.onMessage(Direction.SENT, Kind.TASK, task.getSerializedSize());
    observer.onShardStarted(worker, st.step, shard.id());
    long sentAt = System.nanoTime();
    vertx
        .eventBus()
        .request(Addresses.workerTask(worker), task, delivery)
        .onComplete(
            ar -> {
              if (ar.succeeded()) {
                received(ar.result().body(), Kind.GRADIENTS); // late or not, it came in
              }
              if (promise.future().isComplete()) {
                counters.late(); // answered after its attempt timed out: ignored
                return;
              }
              if (ar.failed()) {
                promise.tryFail(ar.cause());
                return;
              }
              st.progress[shard.id()] = System.nanoTime();
              // Decoding and checking 21M floats (ResNet-34) takes long enough to stall the event
              // loop, so it runs on the worker pool (unordered: several shards decode at once).
              Object body;
              try {
                body = ar.result().body();
              } catch (ProtocolException e) { // an undecodable reply from another JVM
                counters.reject(e);
                LOG.warn("refused result of '{}': {}", worker, e.getMessage());
                promise.tryFail(e);
                return;
              }
              vertx
                  .executeBlocking(
                      () -> {
                        Accepted a =
                            requireFeatures(
                                st, shard, check.check(body, st.step, st.version, shard));
                        return new Checked(a, NormBound.norms(a.gradient()));
                      },
                      false)
                  .onComplete(
                      checked -> {
                        if (promise.future().isComplete()) {
                          counters.late(); // its attempt timed out or failed while decoding
                        } else if (checked.succeeded()) {
                          long now = System.nanoTime();
                          st.firstDone = st.firstDone == 0 ? now : st.firstDone;
                          st.lastDone = now;
                          st.computedBy[shard.id()] = worker;
                          st.norms[shard.id()] = checked.result().norms();
                          observer.onShardDone(
                              worker, st.step, viewsOf(shard), (now - sentAt) / 1e9);
                          promise.tryComplete(checked.result().accepted());
                        } else {
                          if (checked.cause() instanceof ProtocolException e) {
                            counters.reject(e);
                            LOG.warn("refused result of '{}': {}", worker, e.getMessage());
                          } else if (checked.cause() instanceof ResultCheck.WorkerAnsweredError) {
                            counters.workerErrors++;
                          }
                          promise.tryFail(checked.cause());
                        }
                      });
            });
    inFlight.computeIfAbsent(worker, w -> new HashSet<>()).add(promise);
    promise
        .future()
        .onComplete(
            x ->
                inFlight.computeIfPresent(
                    worker, (w, s) -> s.remove(promise) && s.isEmpty() ? null : s));
    armDeadline(st, shard, worker, promise, System.nanoTime());
    return promise.future();
  }

  /**
   * Fails the attempt if its shard made no progress for a deadline. In VIEWS mode a shard whose
   * features are in and that waits for other shards' features is not stalled.
   */
  private void armDeadline(
      StepRound st, Shard shard, String worker, Promise<Accepted> p, long armedAt) {
    vertx.setTimer(
        options.deadlineMs(),
        t -> {
          if (p.future().isComplete()) {
            return;
          }
          FeatureRound r = st.features;
          boolean waiting = r != null && r.in[shard.id()] && r.output == null;
          if (st.progress[shard.id()] > armedAt || waiting) {
            armDeadline(st, shard, worker, p, System.nanoTime());
          } else {
            counters.timeouts++;
            p.tryFail(
                new TimeoutException(
                    "worker '"
                        + worker
                        + "' made no progress on step "
                        + st.step
                        + " shard "
                        + shard.id()
                        + " within "
                        + options.deadlineMs()
                        + " ms"));
          }
        });
  }

  /**
   * {@code a}, if its shard's features are in (VIEWS mode; always in IMAGES mode): a backbone
   * gradient is the answer to the feature gradients of its own features, so a result that comes
   * before them cannot be right (and has no objective output to be summed with).
   */
  private static Accepted requireFeatures(StepRound st, Shard shard, Accepted a) {
    if (st.features != null && !st.features.in[shard.id()]) {
      throw new ProtocolException(
          Error.Code.WRONG_SHAPE,
          ShardResult.getDescriptor().getFullName(),
          "VIEWS result for shard " + shard.id() + " of step " + st.step + " before its features");
    }
    return a;
  }

  /**
   * The task of {@code shard} for {@code worker}, with the step's parameters unless that worker was
   * sent them already (a second shard of the same step): one request/response per shard per step.
   */
  private ShardTask task(StepRound st, Shard shard, String worker) {
    ShardTask.Builder b =
        ShardTask.newBuilder()
            .setHeader(header(st.step, st.version))
            .setShardId(shard.id())
            .setShardCount(st.shards.size())
            .setMode(options.mode())
            .setSeed(config.seed())
            .setEpoch(st.epoch)
            .setK(config.k())
            .setM(config.m())
            .setDeadlineMs((int) Math.min(Integer.MAX_VALUE, options.deadlineMs()));
    if (st.pushedTo.add(worker)) {
      if (snapshot == null || snapshot.getHeader().getParamVersion() != st.version) {
        snapshot = snapshot(st.step, st.version);
      }
      b.setParams(snapshot);
    }
    if (options.mode() == ShardingMode.IMAGES) {
      int[] mine = new int[shard.positions().length];
      for (int i = 0; i < mine.length; i++) {
        mine[i] = st.images[shard.positions()[i]];
        b.addImageIndices(mine[i]);
      }
      if (model instanceof DeepClusterModel dc) {
        for (int y : dc.pseudoLabels(mine)) {
          b.addLabels(y);
        }
        for (double w : classWeights) {
          b.addClassWeights(w);
        }
      }
    } else {
      for (int image : st.images) {
        b.addImageIndices(image);
      }
      for (int row : shard.rows()) {
        b.addViewIndices(viewNumber(row));
      }
    }
    return b.build();
  }

  private int viewsOf(Shard shard) {
    return options.mode() == ShardingMode.IMAGES
        ? shard.positions().length * model.viewsPerImage()
        : shard.rows().length;
  }

  /** The wire numbering {@code n*K + v} of view-major row {@code v*M + n}. */
  private int viewNumber(int row) {
    return (row % config.m()) * config.k() + row / config.m();
  }

  /**
   * Aggregates in shard order, steps the method's optimizer, publishes the new version. Fails with
   * {@link GradientAggregator.NonFiniteShards}, before anything changes, if a shard is not finite.
   */
  private Future<Void> apply(StepRound st, List<Accepted> accepted) {
    return executor
        .executeBlocking(
            () -> {
              long a0 = System.nanoTime();
              List<ShardGradient> grads = accepted.stream().map(Accepted::gradient).toList();
              float[] g;
              StepStats stats;
              if (options.mode() == ShardingMode.IMAGES) {
                // the method's loss terms per shard (checked against each reply's pair_count)
                long[] weights =
                    st.shards.stream()
                        .mapToLong(s -> model.lossTerms(s.positions().length))
                        .toArray();
                g = aggregator.weightedMean(grads, weights);
                stats = null;
                for (Accepted a : accepted) {
                  StepStats s = statsOf(a.result());
                  stats = stats == null ? s : stats.plus(s);
                }
              } else {
                int[] views = st.shards.stream().mapToInt(s -> s.rows().length).toArray();
                g = aggregator.backboneSum(grads, views, st.features.output.headGradient());
                stats = st.features.output.stats();
              }
              // finite: the aggregator refuses non-finite shards and results
              long a1 = System.nanoTime();
              parameters.step(g);
              long a2 = System.nanoTime();
              // Packed here, off the event loop, for the workers' next parameter pull.
              ParameterSnapshot next = snapshot(st.step + 1, st.version + 1);
              long a3 = System.nanoTime();
              double[] seconds = {(a1 - a0) / 1e9, (a2 - a1) / 1e9, (a3 - a2) / 1e9};
              return new Object[] {g, stats, next, seconds};
            },
            true)
        .compose(
            out -> {
              for (double[] n : st.norms) {
                norms.accept(n);
              }
              version++;
              step++;
              snapshot = (ParameterSnapshot) out[2];
              StepStats stats = (StepStats) out[1];
              losses.add(stats.loss());
              if (options.recordGradients()) {
                gradients.add((float[]) out[0]);
              }
              report(stats, st.times((double[]) out[3]));
              if (++stepInEpoch == schedule.stepsPerEpoch()) {
                stepInEpoch = 0;
                epoch++;
              }
              current = null;
              return checkpointIfDue();
            });
  }

  /** A copy of the master parameters (for the online probe). */
  private float[] paramsCopy() {
    return parameters.copy();
  }

  /** Tells the listener about the step just applied (before the cursor moves on). */
  private void report(StepStats stats, StepTimes times) {
    double seconds = (System.nanoTime() - loopStartNanos) / 1e9;
    double vps = (step - loopStartStep) * (double) config.m() * model.viewsPerImage() / seconds;
    int spe = schedule.stepsPerEpoch();
    StepReport r = new StepReport(epoch, stepInEpoch, spe, step, total, stats, vps);
    listener.onStep(r);
    listener.afterStep(step, this::paramsCopy);
    observer.onStep(r, times, members.size());
    epochStats = epochStats == null ? stats : epochStats.plus(stats);
    if (stepInEpoch + 1 == spe || step == total) {
      listener.onEpochEnd(epoch, epochStats);
      epochStats = null;
    }
  }

  /**
   * Writes a checkpoint when one is due, or when the last one failed. A failure (a full disk) is
   * logged and counted ({@code relreason_checkpoint_failures_total}) and training goes on; the
   * checkpoint is tried again after the next step, and the run's last one a few times, a second
   * apart.
   */
  private Future<Void> checkpointIfDue() {
    if (!checkpoints.due(step, stepInEpoch, total)) {
      return Future.succeededFuture();
    }
    return checkpoint(step == total ? FINAL_CHECKPOINT_TRIES : 1);
  }

  private Future<Void> checkpoint(int tries) {
    Checkpoint c =
        new Checkpoint(
            config.asMap(),
            epoch,
            stepInEpoch,
            step,
            parameters.copy(),
            parameters.optimizerState());
    long t0 = System.nanoTime();
    return executor
        .executeBlocking(() -> checkpoints.save(c), true)
        .onSuccess(
            p -> {
              checkpoints.saved();
              LOG.info("checkpoint {}", p);
              observer.onCheckpoint(p, (System.nanoTime() - t0) / 1e9, sizeOf(p));
            })
        .<Void>mapEmpty()
        .recover(
            e -> {
              checkpoints.failed();
              observer.onCheckpointFailed(String.valueOf(e.getMessage()));
              LOG.warn(
                  "checkpoint of step {} failed, training goes on{}: {}",
                  step,
                  tries > 1 ? " (trying again in 1 s)" : " (trying again after the next step)",
                  e.getMessage());
              if (tries <= 1) {
                return Future.succeededFuture();
              }
              Promise<Void> later = Promise.promise();
              vertx.setTimer(1000, t -> checkpoint(tries - 1).onComplete(later));
              return later.future();
            });
  }

  private static long sizeOf(Path p) {
    try {
      return java.nio.file.Files.size(p);
    } catch (java.io.IOException e) {
      return 0; // removed by rotation in the meantime: the gauge keeps its last value
    }
  }

  private static StepStats statsOf(ShardResult r) {
    return new StepStats(
        r.getLossSum(),
        r.getPairCount(),
        r.getPositivePairs(),
        r.getPositiveCorrect(),
        r.getPairCount() - r.getPositivePairs(),
        r.getNegativeCorrect());
  }

  // ---- VIEWS mode: the objective over the whole minibatch -----------------------------------

  private void onFeatures(Message<Object> message) {
    String type = Features.getDescriptor().getFullName();
    received(message.body(), Kind.FEATURES);
    if (!(message.body() instanceof Features f)) {
      counters.rejections.reject(Rejections.MALFORMED);
      reply(message, error(Error.Code.MALFORMED, "expected Features", type), Kind.CONTROL);
      return;
    }
    StepRound st = current;
    try {
      Header h = Validation.check(f, options.runId());
      if (st == null
          || st.features == null
          || h.getStep() != st.step
          || h.getParamVersion() != st.version) {
        throw new ProtocolException(
            Error.Code.STALE,
            type,
            "features for step "
                + h.getStep()
                + " version "
                + h.getParamVersion()
                + ", current "
                + (st == null ? "none" : "step " + st.step + " version " + st.version));
      }
      FeatureRound r = st.features;
      if (Integer.toUnsignedLong(f.getShardId()) >= st.shards.size()) { // uint32 on the wire
        throw new ProtocolException(
            Error.Code.WRONG_SHAPE,
            type,
            "shard " + Integer.toUnsignedString(f.getShardId()) + " of " + st.shards.size());
      }
      int s = f.getShardId();
      List<Integer> expected =
          java.util.Arrays.stream(st.shards.get(s).rows()).map(this::viewNumber).boxed().toList();
      float[] x = Tensors.toFloats(f.getFeatures(), "Features.features");
      if (!expected.equals(f.getViewIndicesList()) || x.length != expected.size() * r.featureSize) {
        throw new ProtocolException(
            Error.Code.WRONG_SHAPE,
            type,
            "shard "
                + s
                + ": views "
                + f.getViewIndicesList()
                + " with "
                + x.length
                + " values, expected "
                + expected
                + " with "
                + expected.size() * r.featureSize);
      }
      Validation.requireFinite(x, "Features.features", type);
      st.progress[s] = System.nanoTime();
      if (r.in[s]) {
        // a recomputed or repeated shard: same views, answered from the first copy
        counters.duplicate();
      } else {
        r.put(s, x);
      }
      if (r.output != null) {
        replyFeatureGradients(message, featureGradients(st, s));
        return;
      }
      r.waiters.get(s).add(message);
      if (r.complete()) {
        runObjective(st);
      }
    } catch (ProtocolException e) {
      counters.reject(e);
      LOG.warn("refused features: {}", e.getMessage());
      reply(message, e.toError(refusalHeader()), Kind.CONTROL);
    }
  }

  private void runObjective(StepRound st) {
    FeatureRound r = st.features;
    executor
        .executeBlocking(() -> objective.run(r), true)
        .onComplete(
            ar -> {
              if (ar.succeeded() && !ViewsObjective.finite(ar.result())) {
                refuseLargestFeatures(st);
                return; // the refused shard is recomputed elsewhere; the others wait for it
              }
              if (ar.failed()) {
                LOG.error("objective of step {} failed", st.step, ar.cause());
              } else {
                r.output = ar.result();
              }
              long now = System.nanoTime();
              for (int s = 0; s < r.waiters.size(); s++) {
                st.progress[s] = now;
                for (Message<Object> m : r.waiters.get(s)) {
                  if (ar.succeeded()) {
                    replyFeatureGradients(m, featureGradients(st, s));
                    continue;
                  }
                  reply(
                      m,
                      error(
                          Error.Code.INTERNAL,
                          ar.cause().toString(),
                          Features.getDescriptor().getFullName()),
                      Kind.CONTROL);
                }
                r.waiters.get(s).clear();
              }
            });
  }

  /**
   * The objective over finite features overflowed: the features of largest magnitude are refused
   * (their shard's waiting request answered NON_FINITE, so its worker fails the task and the shard
   * is recomputed by another) and the objective runs again once new features for it are in.
   */
  private void refuseLargestFeatures(StepRound st) {
    FeatureRound r = st.features;
    ViewsObjective.Largest largest = ViewsObjective.largest(r);
    int worst = largest.shard();
    float worstAbs = largest.magnitude();
    ProtocolException e =
        new ProtocolException(
            Error.Code.NON_FINITE,
            Features.getDescriptor().getFullName(),
            "step "
                + st.step
                + ": the objective overflowed; shard "
                + worst
                + " holds the largest feature, |x| = "
                + worstAbs);
    counters.reject(e);
    LOG.warn("refused features: {}", e.getMessage());
    r.in[worst] = false;
    for (Message<Object> m : r.waiters.get(worst)) {
      reply(m, e.toError(refusalHeader()), Kind.CONTROL);
    }
    r.waiters.get(worst).clear();
  }

  private void replyFeatureGradients(Message<Object> m, FeatureGradients g) {
    reply(m, g, Kind.FEATURE_GRADIENTS);
  }

  /**
   * Replies with {@code body}, counted in the message-byte metric: every reply goes through here,
   * so the metric holds all the coordinator sends, not only its requests.
   */
  private void reply(Message<Object> to, com.google.protobuf.Message body, Kind kind) {
    observer.onMessage(Direction.SENT, kind, body.getSerializedSize());
    to.reply(body);
  }

  /**
   * Counts a message that came in, whatever becomes of it: a protobuf message by its serialized
   * size, bytes from another JVM by their protobuf part (without the 4-byte length prefix); an
   * {@code Error} counts as control traffic.
   */
  private void received(Object body, Kind kind) {
    long bytes =
        body instanceof com.google.protobuf.Message m
            ? m.getSerializedSize()
            : body instanceof io.vertx.core.buffer.Buffer b
                ? Math.max(0, b.length() - Integer.BYTES)
                : 0;
    observer.onMessage(Direction.RECEIVED, body instanceof Error ? Kind.CONTROL : kind, bytes);
  }

  private FeatureGradients featureGradients(StepRound st, int shard) {
    float[] d = st.features.gradientsOf(shard);
    int rows = st.shards.get(shard).rows().length;
    return FeatureGradients.newBuilder()
        .setHeader(header(st.step, st.version))
        .setShardId(shard)
        .addAllViewIndices(
            java.util.Arrays.stream(st.shards.get(shard).rows())
                .map(this::viewNumber)
                .boxed()
                .toList())
        .setGradients(Tensors.float32(d, rows, st.features.featureSize))
        .build();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private Header header(long s, long v) {
    return Headers.of(options.runId(), s, v, ME);
  }

  /**
   * The header of a refusal: without the run id, which must not be told to a sender that did not
   * know it (a peer guessing run ids would otherwise read the real one from the first refusal).
   */
  private Header refusalHeader() {
    return Headers.of("", step, version, ME);
  }

  private Error error(Error.Code code, String detail, String messageType) {
    return Error.newBuilder()
        .setHeader(refusalHeader())
        .setCode(code)
        .setDetail(detail)
        .setMessageType(messageType)
        .build();
  }

  @Override
  public Future<?> stop() {
    done.tryFail("coordinator stopped");
    if (membership != null) {
      membership.close();
    }
    return Future.all(consumers.stream().map(MessageConsumer::unregister).toList())
        .compose(v -> executor.close());
  }
}

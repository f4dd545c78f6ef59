package org.relreason.coordinator;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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
import org.relreason.model.train.RunCursor;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardingMode;
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
 * <p>The verticle only routes: it registers the consumers, decodes each body, hands the message to
 * the part that handles it, and chains the step loop's futures. {@link Registrar} answers
 * registrations, heartbeats and goodbyes and evicts lost workers ({@link Membership}, {@link
 * MembershipPolicy}); {@link ShardDispatcher} sends a step's shards through a {@link WorkerGateway}
 * and recomputes failed, late and refused ones ({@link ResultCheck}, {@link NormBound}, {@link
 * Tasks}); {@link FeatureExchange} gathers VIEWS mode's features and answers them with the {@link
 * ViewsObjective}'s gradients; {@link StepApplier} aggregates ({@link GradientAggregator}), steps
 * the {@link ParameterStore}, reports and checkpoints ({@link Checkpointer}). The step in flight is
 * a {@link StepRound}, the run's position a {@link Position}; every reply and its byte count go
 * through {@link Wire}.
 *
 * <p>The shard plan depends only on the configured worker count, never on which workers are alive,
 * so a step's result does not depend on who computed what. All state lives on this verticle's event
 * loop; ND4J work (objective, aggregation, optimizer) runs on one ordered worker executor.
 */
public final class CoordinatorVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CoordinatorVerticle.class);

  private final CoordinatorOptions options;
  private final TrainConfig config;
  private final ImageSet set;
  private final String configHash;
  private final Promise<RunResult> done = Promise.promise();
  private final Membership members = new Membership();
  private Position at; // built with the model (initialise)
  private final List<Double> stepMillis = new ArrayList<>();
  private final Counters counters = new Counters();
  private final List<MessageConsumer<Object>> consumers = new ArrayList<>();
  private MembershipWatch membership;
  private WorkerExecutor executor;
  private PretrainModel model;
  private ResultCheck check;
  private GradientAggregator aggregator;
  private ViewsObjective objective;
  private MinibatchSchedule schedule;
  private Checkpointer checkpoints;
  private NormBound.Recent norms;
  // volatile: read by currentParams() from other threads
  private volatile ParameterStore parameters;
  private long total;
  private TrainListener listener = new TrainListener() {};
  private RunObserver observer = RunObserver.NONE;
  private Normalization normalization;
  private long loopStart;
  private StepRound current;
  // the parts, built once the model is (start)
  private Wire wire;
  private Snapshots snapshots;
  private Tasks tasks;
  private Registrar registrar;
  private ShardDispatcher dispatcher;
  private FeatureExchange features;
  private StepApplier applier;

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
              buildParts();
              route(Addresses.COORDINATOR_REGISTER, registrar::onHello);
              route(Addresses.COORDINATOR_PARAMS, this::onParams);
              route(Addresses.COORDINATOR_FEATURES, features::onFeatures);
              route(Addresses.HEARTBEAT, registrar::onHeartbeat);
              route(Addresses.COORDINATOR_DISCONNECT, registrar::onDisconnect);
              vertx.setPeriodic(options.heartbeatIntervalMs(), t -> registrar.evictSilent());
              observer.onRunState(RunObserver.RunState.WAITING);
              membership = MembershipWatch.start(vertx, registrar::onNodeLeft);
              return Future.all(consumers.stream().map(MessageConsumer::completion).toList());
            });
  }

  private void route(String address, Handler<Message<Object>> handler) {
    consumers.add(vertx.eventBus().consumer(address, decoded(handler)));
  }

  /**
   * Builds the master model and its optimizer exactly as the single-process trainer does; resumes a
   * checkpoint.
   */
  private Void initialise() throws java.io.IOException {
    model = ShardComputer.newModel(config, set);
    StatisticsLayout layout = new StatisticsLayout(model.statisticsMask());
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
    at =
        new Position(
            new RunCursor(schedule.stepsPerEpoch(), (long) config.m() * model.viewsPerImage()));
    parameters = new ParameterStore(model, Optimizers.forRun(model, config, total));
    norms = options.normBound().recent();
    checkpoints = new Checkpointer(config);
    var latest = checkpoints.resume(options);
    if (latest.isPresent()) {
      Checkpoint c = latest.get().checkpoint();
      parameters.restore(c.params(), c.adam());
      at.run.resumeAt(c.epoch(), c.stepInEpoch(), c.globalStep());
      at.version = c.globalStep();
      LOG.info("coordinator resumed from {} at step {}", latest.get().file(), c.globalStep());
    }
    return null;
  }

  /** The parts that handle the messages and the step, on this verticle's event loop. */
  private void buildParts() {
    wire = new Wire(options.runId(), at, observer);
    snapshots = new Snapshots(parameters, wire, configHash);
    tasks = new Tasks(options, config, wire, model, snapshots);
    WorkerGateway gateway = new EventBusWorkers(vertx, tasks, wire);
    dispatcher =
        new ShardDispatcher(
            options,
            members,
            counters,
            observer,
            wire,
            gateway,
            check::check,
            norms,
            model.viewsPerImage());
    registrar =
        new Registrar(
            options,
            config,
            configHash,
            members,
            counters,
            observer,
            wire,
            at,
            () -> done.future().isComplete(),
            dispatcher::workerLost,
            () -> {
              loopStart = System.nanoTime();
              vertx.runOnContext(x -> loop());
            });
    features =
        new FeatureExchange(
            options.runId(), () -> current, counters, wire, executor, objective, tasks);
    applier =
        new StepApplier(
            options,
            config,
            vertx,
            executor,
            model,
            aggregator,
            parameters,
            snapshots,
            norms,
            checkpoints,
            at,
            total,
            members,
            listener,
            observer,
            () -> current = null);
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
        wire.reply(message, e.toError(wire.refusalHeader()), Kind.CONTROL);
        return;
      }
      handler.handle(message);
    };
  }

  // ---- parameters -------------------------------------------------------------------------

  private void onParams(Message<Object> message) {
    wire.received(message.body(), Kind.CONTROL);
    if (!(message.body() instanceof ParameterRequest request)) {
      counters.rejections.reject(Rejections.MALFORMED);
      String type = ParameterRequest.getDescriptor().getFullName();
      wire.reply(
          message,
          wire.error(Error.Code.MALFORMED, "expected ParameterRequest", type),
          Kind.CONTROL);
      return;
    }
    try {
      Validation.check(request, options.runId());
    } catch (ProtocolException e) {
      counters.reject(e);
      wire.reply(message, e.toError(wire.refusalHeader()), Kind.CONTROL);
      return;
    }
    wire.reply(message, snapshots.of(at.step(), at.version), Kind.PARAMETERS);
  }

  // ---- the step loop ----------------------------------------------------------------------

  private void loop() {
    if (at.step() >= total) {
      finish();
      return;
    }
    long t0 = System.nanoTime();
    applier.loopStarted();
    prepareEpoch()
        .compose(v -> runStep())
        .onSuccess(
            v -> {
              stepMillis.add((System.nanoTime() - t0) / 1e6);
              loop();
            })
        .onFailure(
            e -> {
              LOG.error("step {} failed: {}", at.step(), e.toString());
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
              .setHeader(wire.header())
              .setWorkerId(worker)
              .setReason(Disconnect.Reason.RUN_FINISHED)
              .setDetail("the run reached step " + at.step())
              .build();
      wire.sent(bye, Kind.CONTROL);
      vertx.eventBus().send(Addresses.workerControl(worker), bye);
    }
    observer.onRunState(RunObserver.RunState.FINISHED);
    done.tryComplete(
        new RunResult(
            applier.losses().stream().mapToDouble(Double::doubleValue).toArray(),
            stepMillis.stream().mapToDouble(Double::doubleValue).toArray(),
            parameters.copy(),
            List.copyOf(applier.gradients()),
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
    if (!at.run.epochPreparationDue()) {
      return Future.succeededFuture();
    }
    int e = at.epoch();
    return executor
        .executeBlocking(
            () -> {
              model.beforeEpoch(e, set, normalization, parameters.optimizer());
              return parameters.adopt(model.paramsVector());
            },
            true)
        .map(
            changed -> {
              at.run.epochPrepared(e);
              tasks.classWeights(model instanceof DeepClusterModel dc ? dc.classWeights() : null);
              if (changed) {
                at.version++;
              }
              return null;
            });
  }

  private Future<Void> runStep() {
    members.admitJoining(System.currentTimeMillis());
    int[] images = schedule.images(at.epoch(), at.stepInEpoch());
    List<Shard> shards =
        ShardPlanner.plan(options.mode(), config.m(), config.k(), options.workers());
    FeatureRound round =
        options.mode() == ShardingMode.VIEWS
            ? new FeatureRound(shards, config.m() * config.k(), model.backbone().featureSize())
            : null;
    StepRound st = new StepRound(at.step(), at.version, at.epoch(), images, shards, round);
    current = st;
    return dispatcher.run(st, accepted -> applier.apply(st, accepted));
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

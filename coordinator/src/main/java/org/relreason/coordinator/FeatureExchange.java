package org.relreason.coordinator;

import io.vertx.core.WorkerExecutor;
import io.vertx.core.eventbus.Message;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.FeatureGradients;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * VIEWS mode's exchange with the workers: every shard's {@code Features} of the step are checked
 * and gathered, held unanswered until all are in, then the {@link ViewsObjective} runs over the
 * whole minibatch (on the coordinator's ordered executor) and each waiting request is answered with
 * its shard's {@code FeatureGradients}. Features that make the objective overflow are refused, so
 * their shard is recomputed elsewhere. Called on the coordinator's event loop.
 */
final class FeatureExchange {
  private static final Logger LOG = LoggerFactory.getLogger(FeatureExchange.class);
  private static final String TYPE = Features.getDescriptor().getFullName();

  private final String runId;
  private final Supplier<StepRound> current;
  private final Counters counters;
  private final Wire wire;
  private final WorkerExecutor executor;
  private final ViewsObjective objective;
  private final Tasks tasks;

  /**
   * @param current the step in flight, or null between steps
   * @param executor the coordinator's ordered executor, where all its ND4J work runs
   * @param tasks the wire numbering of a shard's views
   */
  FeatureExchange(
      String runId,
      Supplier<StepRound> current,
      Counters counters,
      Wire wire,
      WorkerExecutor executor,
      ViewsObjective objective,
      Tasks tasks) {
    this.runId = runId;
    this.current = current;
    this.counters = counters;
    this.wire = wire;
    this.executor = executor;
    this.objective = objective;
    this.tasks = tasks;
  }

  void onFeatures(Message<Object> message) {
    wire.received(message.body(), Kind.FEATURES);
    if (!(message.body() instanceof Features f)) {
      counters.rejections.reject(Rejections.MALFORMED);
      wire.reply(
          message, wire.error(Error.Code.MALFORMED, "expected Features", TYPE), Kind.CONTROL);
      return;
    }
    StepRound st = current.get();
    try {
      int s = checked(f, st);
      FeatureRound r = st.features;
      float[] x = Tensors.toFloats(f.getFeatures(), "Features.features");
      List<Integer> expected = viewNumbers(st, s);
      if (!expected.equals(f.getViewIndicesList()) || x.length != expected.size() * r.featureSize) {
        throw new ProtocolException(
            Error.Code.WRONG_SHAPE,
            TYPE,
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
      Validation.requireFinite(x, "Features.features", TYPE);
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
      wire.reply(message, e.toError(wire.refusalHeader()), Kind.CONTROL);
    }
  }

  /**
   * The shard of {@code f}, after checking its header against the step in flight.
   *
   * @throws ProtocolException STALE for another step or version (or none in flight), WRONG_SHAPE
   *     for a shard the plan does not have
   */
  private int checked(Features f, StepRound st) {
    Header h = Validation.check(f, runId);
    if (st == null
        || st.features == null
        || h.getStep() != st.step
        || h.getParamVersion() != st.version) {
      throw new ProtocolException(
          Error.Code.STALE,
          TYPE,
          "features for step "
              + h.getStep()
              + " version "
              + h.getParamVersion()
              + ", current "
              + (st == null ? "none" : "step " + st.step + " version " + st.version));
    }
    if (Integer.toUnsignedLong(f.getShardId()) >= st.shards.size()) { // uint32 on the wire
      throw new ProtocolException(
          Error.Code.WRONG_SHAPE,
          TYPE,
          "shard " + Integer.toUnsignedString(f.getShardId()) + " of " + st.shards.size());
    }
    return f.getShardId();
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
                  Error e = wire.error(Error.Code.INTERNAL, ar.cause().toString(), TYPE);
                  wire.reply(m, e, Kind.CONTROL);
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
            TYPE,
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
      wire.reply(m, e.toError(wire.refusalHeader()), Kind.CONTROL);
    }
    r.waiters.get(worst).clear();
  }

  private void replyFeatureGradients(Message<Object> m, FeatureGradients g) {
    wire.reply(m, g, Kind.FEATURE_GRADIENTS);
  }

  private FeatureGradients featureGradients(StepRound st, int shard) {
    float[] d = st.features.gradientsOf(shard);
    int rows = st.shards.get(shard).rows().length;
    return FeatureGradients.newBuilder()
        .setHeader(wire.header(st.step, st.version))
        .setShardId(shard)
        .addAllViewIndices(viewNumbers(st, shard))
        .setGradients(Tensors.float32(d, rows, st.features.featureSize))
        .build();
  }

  /** The wire numbers of a shard's views, in its rows' order. */
  private List<Integer> viewNumbers(StepRound st, int shard) {
    return Arrays.stream(st.shards.get(shard).rows()).map(tasks::viewNumber).boxed().toList();
  }
}

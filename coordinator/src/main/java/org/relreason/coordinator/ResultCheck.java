package org.relreason.coordinator;

import io.vertx.core.buffer.Buffer;
import java.util.function.IntToLongFunction;
import org.relreason.protocol.ProtoCodec;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.TensorView;
import org.relreason.protocol.Validation;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Header;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Decodes and checks one shard's reply: the coordinator's gate between the wire and the gradient
 * aggregation. Stateless apart from its configuration, so it runs on any thread (the coordinator
 * calls it on the worker pool).
 *
 * <p>Bytes from another JVM are parsed with aliasing ({@link ProtoCodec#decodeAliased}): the
 * accepted result's gradient is a view of the received buffer, never copied or decoded here. Its
 * shape is checked here; whether its 21M values (ResNet-34) are finite is checked while they are
 * summed, the only time they are read ({@link GradientAggregator}, which names the culprit shards
 * and leaves refusing them to the coordinator). Everything else, the statistic deltas included, is
 * checked here. Every refusal is a {@link ProtocolException} whose code names the reason.
 */
public final class ResultCheck {
  private static final String TYPE = ShardResult.getDescriptor().getFullName();

  private final String runId;
  private final StatisticsLayout layout;
  private final ShardingMode mode;
  private final IntToLongFunction lossTerms;
  private final ProtoCodec<ShardResult> codec;

  /**
   * @param runId the run every result must belong to
   * @param layout where the model's BatchNorm statistics sit in the flat parameter vector
   * @param mode IMAGES results carry their shard's count of loss terms (field {@code pair_count});
   *     VIEWS results carry none
   * @param lossTerms the count of loss terms an IMAGES shard of so many images must state, which is
   *     also its weight in the aggregation: the method's {@code PretrainModel.lossTerms} (for
   *     relational reasoning the pairs {@code images·K(K−1)})
   * @param maxBytes largest encoded result accepted
   */
  public ResultCheck(
      String runId,
      StatisticsLayout layout,
      ShardingMode mode,
      IntToLongFunction lossTerms,
      int maxBytes) {
    this(
        runId,
        layout,
        mode,
        lossTerms,
        new ProtoCodec<>(ShardResult.class, ShardResult.getDefaultInstance(), maxBytes));
  }

  /**
   * As {@link #ResultCheck(String, StatisticsLayout, ShardingMode, IntToLongFunction, int)},
   * reading bytes with {@code codec} (the event bus's: with a run secret it checks their HMAC).
   */
  public ResultCheck(
      String runId,
      StatisticsLayout layout,
      ShardingMode mode,
      IntToLongFunction lossTerms,
      ProtoCodec<ShardResult> codec) {
    this.runId = runId;
    this.layout = layout;
    this.mode = mode;
    this.lossTerms = lossTerms;
    this.codec = codec;
  }

  /**
   * A validated shard result: the message and its gradient and statistic deltas as views of the
   * message's bytes (checked for shape, not yet for finiteness).
   */
  public record Accepted(ShardResult result, ShardGradient gradient) {}

  /** The worker answered with an {@code Error}: its own failure, not a refused message. */
  public static final class WorkerAnsweredError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkerAnsweredError(String message) {
      super(message);
    }
  }

  /**
   * @param body the reply: a {@link ShardResult} (same JVM), the bytes of its length-prefixed
   *     encoding (from another JVM), or anything else (refused as MALFORMED)
   * @param step the step the result must be for
   * @param version the parameter version it must be computed with
   * @param shard the shard it must be for
   * @throws ProtocolException naming why it is refused
   * @throws WorkerAnsweredError if the worker sent an {@code Error}
   */
  public Accepted check(Object body, long step, long version, Shard shard) {
    if (body instanceof Error e) {
      throw new WorkerAnsweredError("worker answered " + e.getCode() + ": " + e.getDetail());
    }
    if (body instanceof Buffer bytes) {
      body = codec.decodeAliased(0, bytes);
    }
    if (!(body instanceof ShardResult r)) {
      throw new ProtocolException(
          Error.Code.MALFORMED,
          TYPE,
          "expected ShardResult, got " + (body == null ? "null" : body.getClass().getName()));
    }
    Header h = Validation.check(r, runId);
    if (h.getStep() != step || h.getParamVersion() != version || r.getShardId() != shard.id()) {
      throw new ProtocolException(
          Error.Code.STALE,
          TYPE,
          "result for step "
              + h.getStep()
              + " version "
              + h.getParamVersion()
              + " shard "
              + r.getShardId()
              + ", expected step "
              + step
              + " version "
              + version
              + " shard "
              + shard.id());
    }
    TensorView g = TensorView.of(r.getGradient(), "ShardResult.gradient");
    TensorView bn = TensorView.of(r.getBnStatDeltas(), "ShardResult.bn_stat_deltas");
    if (g.length() != layout.length()
        || bn.length() != layout.count()
        || !layout.matches(r.getBnStatRangesList())) {
      throw new ProtocolException(
          Error.Code.WRONG_SHAPE,
          TYPE,
          "gradient of "
              + g.length()
              + " and "
              + bn.length()
              + " statistics for a model of "
              + layout.length()
              + " and "
              + layout.count());
    }
    long expectedPairs =
        mode == ShardingMode.IMAGES ? lossTerms.applyAsLong(shard.positions().length) : 0;
    if (r.getPairCount() != expectedPairs) {
      throw new ProtocolException(
          Error.Code.WRONG_SHAPE,
          TYPE,
          "pair_count " + r.getPairCount() + ", expected " + expectedPairs);
    }
    if (bn.firstNonFinite() >= 0) { // 17,536 values for ResNet-34: cheap to check on arrival
      int j = bn.firstNonFinite();
      throw new ProtocolException(
          Error.Code.NON_FINITE, TYPE, "ShardResult.bn_stat_deltas[" + j + "] is " + bn.get(j));
    }
    if (!Double.isFinite(r.getLossSum())) {
      throw new ProtocolException(Error.Code.NON_FINITE, TYPE, "loss_sum is " + r.getLossSum());
    }
    return new Accepted(r, new ShardGradient(g, bn));
  }
}

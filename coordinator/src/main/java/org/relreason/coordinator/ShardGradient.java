package org.relreason.coordinator;

import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.TensorView;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;

/**
 * One shard's full-length vector as {@link GradientAggregator} reads it: the gradient read in place
 * from the message's bytes (its values at batch-norm statistic positions are checked but not used)
 * and the statistic deltas, one per statistic position in ascending position order.
 *
 * @param gradient full-length gradient, e.g. {@code ShardResult.gradient}
 * @param statistics statistic deltas, e.g. {@code ShardResult.bn_stat_deltas}
 */
public record ShardGradient(TensorView gradient, TensorView statistics) {
  private static final String TYPE = ShardResult.getDescriptor().getFullName();

  /**
   * A full-length vector with the statistic deltas in place (the layout of {@code
   * RelationalModel.gradientVector()}); not copied.
   *
   * @param positions the statistic positions, ascending
   */
  public static ShardGradient of(float[] full, int[] positions) {
    float[] deltas = new float[positions.length];
    for (int j = 0; j < positions.length; j++) {
      deltas[j] = full[positions[j]];
    }
    return new ShardGradient(TensorView.of(full, "gradient"), TensorView.of(deltas, "statistics"));
  }

  /**
   * The refusal naming this shard's first NaN or infinite value, or null if all are finite. Reads
   * everything: the aggregator calls it only once a sum turned out non-finite.
   */
  public ProtocolException nonFinite() {
    for (TensorView v : new TensorView[] {gradient, statistics}) {
      int i = v.firstNonFinite();
      if (i >= 0) {
        return new ProtocolException(
            Error.Code.NON_FINITE, TYPE, v.field() + "[" + i + "] is " + v.get(i));
      }
    }
    return null;
  }
}

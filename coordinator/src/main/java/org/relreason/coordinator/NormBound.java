package org.relreason.coordinator;

import java.util.ArrayDeque;
import java.util.Locale;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.TensorView;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;

/**
 * Refuses a shard whose gradient norm, or batch-norm statistic-delta norm, is far outside the run's
 * recent range: more than {@code ratio} times the median of the last {@code window} accepted
 * shards' norms, or less than that median divided by {@code ratio}. Finite but absurd values (a
 * peer sending 1e30s, or zeros) would otherwise be applied; Adam normalises the gradient's scale
 * away, so the damage would not even show in the loss at once.
 *
 * <p>Off for the first {@code warmupSteps} steps (early norms move by orders of magnitude). Used on
 * the coordinator's event loop only.
 *
 * @param ratio how far from the median a norm may be; 0 turns the bound off
 * @param warmupSteps steps before the bound applies
 * @param window accepted shard norms the median is taken over
 */
public record NormBound(double ratio, int warmupSteps, int window) {
  /** Default: 100 times the median of the last 64 shard norms, from step 10 on. */
  public static final NormBound DEFAULT = new NormBound(100, 10, 64);

  /** No bound. */
  public static final NormBound OFF = new NormBound(0, 0, 1);

  public NormBound {
    if (!(ratio == 0 || ratio > 1) || warmupSteps < 0 || window < 1) {
      throw new IllegalArgumentException(
          String.format(
              Locale.ROOT,
              "gradient norm bound: need ratio 0 (off) or > 1, warm-up >= 0 steps and a window >="
                  + " 1, got ratio %s, warm-up %d, window %d",
              ratio,
              warmupSteps,
              window));
    }
  }

  /** The L2 norms of a shard's gradient and of its statistic deltas, read in blocks. */
  public static double[] norms(ShardGradient g) {
    return new double[] {norm(g.gradient()), norm(g.statistics())};
  }

  private static double norm(TensorView v) {
    float[] block = new float[8192];
    double sum = 0;
    for (int at = 0; at < v.length(); at += block.length) {
      int n = Math.min(block.length, v.length() - at);
      v.read(at, block, 0, n);
      for (int i = 0; i < n; i++) {
        sum += (double) block[i] * block[i];
      }
    }
    return Math.sqrt(sum);
  }

  /** The recent accepted norms of one run; {@link #check} then {@link #accept}. */
  public final class Recent {
    private final ArrayDeque<Double> gradients = new ArrayDeque<>();
    private final ArrayDeque<Double> statistics = new ArrayDeque<>();

    /**
     * The refusal of a shard with these {@link #norms}, or null if it is within the bound (or the
     * bound does not apply yet).
     */
    public ProtocolException check(long step, double[] norms) {
      if (ratio == 0 || step < warmupSteps) {
        return null;
      }
      String g = outside("gradient", norms[0], gradients);
      String s = g != null ? g : outside("bn_stat_deltas", norms[1], statistics);
      return s == null
          ? null
          : new ProtocolException(
              Error.Code.GRADIENT_OUTLIER, ShardResult.getDescriptor().getFullName(), s);
    }

    /** Records the norms of a shard that was applied. */
    public void accept(double[] norms) {
      add(gradients, norms[0]);
      add(statistics, norms[1]);
    }

    private void add(ArrayDeque<Double> recent, double norm) {
      recent.addLast(norm);
      while (recent.size() > window) {
        recent.removeFirst();
      }
    }

    private String outside(String field, double norm, ArrayDeque<Double> recent) {
      if (recent.isEmpty() || !Double.isFinite(norm)) {
        return null; // nothing to compare with; non-finite values are refused elsewhere
      }
      double[] sorted = recent.stream().mapToDouble(Double::doubleValue).sorted().toArray();
      double median = sorted[sorted.length / 2];
      if (median == 0 || (norm <= ratio * median && norm >= median / ratio)) {
        return null;
      }
      return String.format(
          Locale.ROOT,
          "ShardResult.%s norm %.4g is outside [%.4g, %.4g] (median %.4g of the last %d shards,"
              + " ratio %s)",
          field,
          norm,
          median / ratio,
          median * ratio,
          median,
          sorted.length,
          ratio);
    }
  }

  /** Empty recent norms under this bound. */
  public Recent recent() {
    return new Recent();
  }

  @Override
  public String toString() {
    return ratio == 0
        ? "no gradient norm bound"
        : String.format(
            Locale.ROOT,
            "gradient norm within %s× the median of the last %d shards from step %d",
            ratio,
            window,
            warmupSteps);
  }
}

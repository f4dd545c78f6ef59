package org.relreason.coordinator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import org.relreason.protocol.ProtocolException;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;

/**
 * Combines shard gradients into the step's gradient, always in shard order (never arrival order)
 * and in double, so the result is a deterministic function of the shard results.
 *
 * <p>IMAGES mode: each shard's gradient is of the mean loss over its own pairs, so the step
 * gradient is the pair-weighted mean {@code Σ pairs_s·g_s / Σ pairs_s}. Batch-norm running
 * statistic deltas (which are applied as {@code p -= g}, not through Adam) take the same
 * pair-weighted mean: each shard's batch statistics moved the running averages by its delta, and
 * the weighted mean is what one process would have seen had the shards' batch statistics been
 * pooled (exact for the running mean; for DL4J's log10-std entries it is a mean taken in log space,
 * an approximation). With one shard both are the plain single-process values, bit for bit ({@code
 * p·g/p} is exact in double for integer p below 2^29).
 *
 * <p>VIEWS mode: every worker's backbone gradient is already its share of the one minibatch mean
 * loss (its feature gradients came from the loss over all pairs), so backbone gradients are summed;
 * the head's gradient (and its batch-norm deltas) comes whole from the coordinator's objective. The
 * backbone's batch-norm deltas differ per worker (each worker's batch-norm saw only its own views)
 * and take the view-count-weighted mean.
 *
 * <p>The weights are inputs (pair counts, view counts, or whatever a method weights its shards by),
 * never derived here.
 *
 * <h2>Speed</h2>
 *
 * For ResNet-34 each shard is 86 MB, far beyond the caches, so the cost is memory traffic. The sum
 * runs block by block ({@value #BLOCK} positions): every shard's values for a block are added into
 * a double accumulator that stays in the L2 cache, then the block's float output is written once.
 * So each shard's bytes are read once, straight from the received message ({@link ShardGradient}),
 * and neither a full-length double accumulator nor a decoded copy of a shard is ever made. Blocks
 * are spread over the common fork-join pool and the calling thread; each position still adds its
 * shards in shard order, so the result does not depend on the number of threads, bit for bit.
 * Statistic positions (17,536 of ResNet-34's 21.5M) are handled afterwards, by index.
 *
 * <h2>Non-finite values</h2>
 *
 * A NaN or infinite input makes its position's sum non-finite (finite floats times integer weights
 * below 2^31 cannot overflow a double), so every output block is checked while still in cache; only
 * if one is non-finite are the shards scanned to name the culprits ({@link NonFiniteShards}). The
 * caller refuses those shards and has them recomputed; nothing is applied meanwhile.
 */
public final class GradientAggregator {
  /** Positions per block: 64 KiB of double accumulator plus 32 KiB of one shard's floats. */
  static final int BLOCK = 8192;

  /** Blocks per parallel task: enough tasks to balance two to eight threads. */
  private static final int BLOCKS_PER_TASK = 16;

  private final int length;
  private final int backboneSize;
  private final int[] positions;

  /**
   * @param statisticsMask positions of batch-norm running statistics in the flat vector
   * @param backboneSize number of leading positions that belong to the backbone
   */
  public GradientAggregator(boolean[] statisticsMask, int backboneSize) {
    this.length = statisticsMask.length;
    this.backboneSize = backboneSize;
    this.positions = IntStream.range(0, length).filter(i -> statisticsMask[i]).toArray();
  }

  /**
   * Shards whose values are NaN or infinite, by their index in the list given to the aggregator,
   * each with the refusal that names the first offending value. Nothing was aggregated.
   */
  public static final class NonFiniteShards extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Index in the aggregated list → the refusal. */
    private final transient Map<Integer, ProtocolException> refusals;

    NonFiniteShards(Map<Integer, ProtocolException> refusals) {
      super("non-finite values in shards " + refusals.keySet());
      this.refusals = Map.copyOf(refusals);
    }

    /** Index in the aggregated list → the refusal naming its first non-finite value. */
    public Map<Integer, ProtocolException> refusals() {
      return refusals;
    }
  }

  /**
   * IMAGES mode, from full-length vectors with the statistic deltas in place.
   *
   * @param gradients full-length gradient per shard, in shard order
   * @param pairs weight per shard: its count of loss terms ({@code PretrainModel.lossTerms}; pairs
   *     for relational reasoning)
   */
  public float[] images(List<float[]> gradients, long[] pairs) {
    return weightedMean(wrap(gradients), pairs);
  }

  /**
   * VIEWS mode, from full-length vectors with the statistic deltas in place.
   *
   * @param gradients full-length vector per shard: backbone gradient and statistic deltas, zeros
   *     over the head; in shard order
   * @param views views each shard embedded
   * @param head the coordinator's full-length gradient; only its head part is used
   */
  public float[] views(List<float[]> gradients, int[] views, float[] head) {
    return backboneSum(wrap(gradients), views, head);
  }

  /**
   * IMAGES mode: {@code Σ w_s·g_s / Σ w_s} at every position, statistics included.
   *
   * @param shards in shard order
   * @param weights weight per shard (the pair count for relational reasoning)
   * @throws NonFiniteShards if a shard holds NaN or infinity
   */
  public float[] weightedMean(List<ShardGradient> shards, long[] weights) {
    check(shards, weights.length, null);
    double[] w = Arrays.stream(weights).asDoubleStream().toArray();
    long total = Arrays.stream(weights).sum();
    float[] out = new float[length];
    boolean finite = inParallel(length, (from, to) -> meanRange(shards, w, total, out, from, to));
    finite &= statistics(shards, w, total, out, length);
    if (!finite) {
      throw refusal(shards, out);
    }
    return out;
  }

  /**
   * VIEWS mode: the backbone gradients summed, the backbone statistics' {@code statisticWeights}
   * weighted mean, the head part taken from {@code head}.
   *
   * @param shards in shard order: backbone gradient (zeros over the head) and statistic deltas
   * @param statisticWeights weight of each shard's statistic deltas (the views it embedded)
   * @param head the coordinator's full-length gradient; only its head part is used
   * @throws NonFiniteShards if a shard holds NaN or infinity
   * @throws ProtocolException NON_FINITE if the result is not finite although the shards are
   */
  public float[] backboneSum(List<ShardGradient> shards, int[] statisticWeights, float[] head) {
    check(shards, statisticWeights.length, head);
    double[] w = Arrays.stream(statisticWeights).asDoubleStream().toArray();
    long total = Arrays.stream(statisticWeights).asLongStream().sum();
    float[] out = new float[length];
    boolean finite = inParallel(length, (from, to) -> sumRange(shards, head, out, from, to));
    finite &= statistics(shards, w, total, out, backboneSize);
    if (!finite) {
      throw refusal(shards, out);
    }
    return out;
  }

  /** Work on positions {@code [from, to)}; false if a non-finite value was seen. */
  private interface Range {
    boolean run(int from, int to);
  }

  /** Runs {@code range} over {@code [0, n)} in tasks of whole blocks; true if all were finite. */
  private static boolean inParallel(int n, Range range) {
    int span = BLOCK * BLOCKS_PER_TASK;
    int tasks = (n + span - 1) / span;
    return IntStream.range(0, tasks)
        .parallel()
        .mapToObj(t -> range.run(t * span, Math.min(n, (t + 1) * span)))
        .reduce(true, Boolean::logicalAnd);
  }

  private boolean meanRange(
      List<ShardGradient> shards, double[] w, long total, float[] out, int from, int to) {
    double[] acc = new double[BLOCK];
    float[] x = new float[BLOCK];
    boolean finite = true;
    for (int b = from; b < to; b += BLOCK) {
      int len = Math.min(BLOCK, to - b);
      for (int s = 0; s < shards.size(); s++) {
        shards.get(s).gradient().read(b, x, 0, len);
        if (s == 0) {
          first(acc, x, w[s], len);
        } else {
          addWeighted(acc, x, w[s], len);
        }
      }
      divide(acc, total, len);
      narrow(acc, out, b, len);
      finite &= allFinite(out, b, b + len);
    }
    return finite;
  }

  private boolean sumRange(
      List<ShardGradient> shards, float[] head, float[] out, int from, int to) {
    double[] acc = new double[BLOCK];
    float[] x = new float[BLOCK];
    boolean finite = true;
    for (int b = from; b < to; b += BLOCK) {
      int len = Math.min(BLOCK, to - b);
      for (int s = 0; s < shards.size(); s++) {
        shards.get(s).gradient().read(b, x, 0, len);
        if (s == 0) {
          first(acc, x, 1.0, len);
        } else {
          add(acc, x, len);
        }
      }
      // The shards' zeros over the head are summed only to be checked: the head comes whole.
      int split = Math.max(0, Math.min(len, backboneSize - b));
      narrow(acc, out, b, split);
      for (int i = split; i < len; i++) {
        finite &= Double.isFinite(acc[i]);
      }
      System.arraycopy(head, b + split, out, b + split, len - split);
      finite &= allFinite(out, b, b + len);
    }
    return finite;
  }

  /**
   * {@code acc = 0.0 + w·x}, i.e. the first shard's term added to zero as the reference does (the
   * {@code + 0.0} turns a -0.0 product into +0.0, as {@code 0.0 + -0.0} does), without first
   * filling {@code acc} with zeros.
   */
  private static void first(double[] acc, float[] x, double w, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] = w * x[i] + 0.0;
    }
  }

  private static void addWeighted(double[] acc, float[] x, double w, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] += w * x[i];
    }
  }

  private static void add(double[] acc, float[] x, int len) {
    for (int i = 0; i < len; i++) {
      acc[i] += x[i];
    }
  }

  /**
   * {@code acc /= total}, in its own loop: C2 vectorises a double-to-double loop but not one that
   * also narrows to float (measured 0.31 against 1.35 ns per element), and IEEE division gives the
   * same bits either way.
   */
  private static void divide(double[] acc, long total, int len) {
    double t = total;
    for (int i = 0; i < len; i++) {
      acc[i] = acc[i] / t;
    }
  }

  private static void narrow(double[] acc, float[] out, int at, int len) {
    for (int i = 0; i < len; i++) {
      out[at + i] = (float) acc[i];
    }
  }

  private static boolean allFinite(float[] values, int from, int to) {
    boolean finite = true;
    for (int i = from; i < to; i++) {
      // branch-free: x - x is 0 for finite x and NaN otherwise
      finite &= values[i] - values[i] == 0f;
    }
    return finite;
  }

  /**
   * Writes the weighted mean of the statistic deltas at the statistic positions below {@code end},
   * over whatever the block pass wrote there; false if one is not finite.
   */
  private boolean statistics(
      List<ShardGradient> shards, double[] w, long total, float[] out, int end) {
    int count = 0;
    while (count < positions.length && positions[count] < end) {
      count++;
    }
    double[] acc = new double[count];
    float[] x = new float[positions.length];
    for (int s = 0; s < shards.size(); s++) {
      shards.get(s).statistics().read(0, x, 0, positions.length);
      for (int j = 0; j < count; j++) {
        acc[j] += w[s] * x[j];
      }
    }
    boolean finite = true;
    for (int j = 0; j < count; j++) {
      out[positions[j]] = (float) (acc[j] / total);
      finite &= Float.isFinite(out[positions[j]]);
    }
    return finite;
  }

  /**
   * The exception for a non-finite result: the culprit shards; if every shard is finite (their
   * finite values overflowed the float sum), the shard of largest magnitude at the first
   * overflowing position; the result itself only if the overflow is in the coordinator's own head
   * gradient.
   */
  private RuntimeException refusal(List<ShardGradient> shards, float[] out) {
    Map<Integer, ProtocolException> bad = new TreeMap<>();
    for (int s = 0; s < shards.size(); s++) {
      ProtocolException e = shards.get(s).nonFinite();
      if (e != null) {
        bad.put(s, e);
      }
    }
    if (!bad.isEmpty()) {
      return new NonFiniteShards(bad);
    }
    int i = 0;
    while (Float.isFinite(out[i])) {
      i++;
    }
    int stat = Arrays.binarySearch(positions, i);
    if (i >= backboneSize && stat < 0 && shards.size() > 0 && isHeadFromCoordinator(shards, i)) {
      return new ProtocolException(
          Error.Code.NON_FINITE, "step", "aggregated gradient[" + i + "] is " + out[i]);
    }
    int worst = 0;
    float worstAbs = -1;
    for (int s = 0; s < shards.size(); s++) {
      ShardGradient g = shards.get(s);
      float v = Math.abs(stat >= 0 ? g.statistics().get(stat) : g.gradient().get(i));
      if (v > worstAbs) {
        worstAbs = v;
        worst = s;
      }
    }
    String field = stat >= 0 ? "bn_stat_deltas[" + stat + "]" : "gradient[" + i + "]";
    return new NonFiniteShards(
        Map.of(
            worst,
            new ProtocolException(
                Error.Code.NON_FINITE,
                ShardResult.getDescriptor().getFullName(),
                "ShardResult."
                    + field
                    + " = "
                    + worstAbs
                    + " in magnitude overflows the aggregated gradient")));
  }

  /** In VIEWS mode the head part comes from the coordinator, the shards' values there are 0. */
  private static boolean isHeadFromCoordinator(List<ShardGradient> shards, int i) {
    for (ShardGradient g : shards) {
      if (g.gradient().get(i) != 0f) {
        return false;
      }
    }
    return true;
  }

  private void check(List<ShardGradient> shards, int weights, float[] head) {
    if (shards.size() != weights) {
      throw new IllegalArgumentException(shards.size() + " shards, " + weights + " weights");
    }
    for (ShardGradient g : shards) {
      if (g.gradient().length() != length || g.statistics().length() != positions.length) {
        throw new IllegalArgumentException(
            "gradient of "
                + g.gradient().length()
                + " values and "
                + g.statistics().length()
                + " statistics for "
                + length
                + " parameters and "
                + positions.length
                + " statistics");
      }
    }
    if (head != null && head.length != length) {
      throw new IllegalArgumentException(
          "head gradient of " + head.length + " values for " + length + " parameters");
    }
  }

  private List<ShardGradient> wrap(List<float[]> gradients) {
    List<ShardGradient> out = new ArrayList<>();
    for (float[] g : gradients) {
      if (g.length != length) {
        throw new IllegalArgumentException(
            "gradient of " + g.length + " values for " + length + " parameters");
      }
      out.add(ShardGradient.of(g, positions));
    }
    return out;
  }
}

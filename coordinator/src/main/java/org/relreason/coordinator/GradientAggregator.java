package org.relreason.coordinator;

import java.util.List;

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
 */
public final class GradientAggregator {
  private final boolean[] statistics;
  private final int backboneSize;

  /**
   * @param statisticsMask positions of batch-norm running statistics in the flat vector
   * @param backboneSize number of leading positions that belong to the backbone
   */
  public GradientAggregator(boolean[] statisticsMask, int backboneSize) {
    this.statistics = statisticsMask.clone();
    this.backboneSize = backboneSize;
  }

  /**
   * IMAGES mode.
   *
   * @param gradients full-length gradient per shard (statistic deltas in place), in shard order
   * @param pairs weight per shard: its count of loss terms ({@code PretrainModel.lossTerms}; pairs
   *     for relational reasoning)
   */
  public float[] images(List<float[]> gradients, long[] pairs) {
    int n = statistics.length;
    double[] acc = new double[n];
    long total = 0;
    for (int s = 0; s < gradients.size(); s++) {
      float[] g = check(gradients.get(s));
      double w = pairs[s];
      total += pairs[s];
      for (int i = 0; i < n; i++) {
        acc[i] += w * g[i];
      }
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (acc[i] / total);
    }
    return out;
  }

  /**
   * VIEWS mode.
   *
   * @param gradients full-length vector per shard: backbone gradient and statistic deltas, zeros
   *     over the head; in shard order
   * @param views views each shard embedded
   * @param head the coordinator's full-length gradient; only its head part is used
   */
  public float[] views(List<float[]> gradients, int[] views, float[] head) {
    int n = statistics.length;
    double[] acc = new double[backboneSize];
    long total = 0;
    for (int s = 0; s < gradients.size(); s++) {
      float[] g = check(gradients.get(s));
      total += views[s];
      for (int i = 0; i < backboneSize; i++) {
        acc[i] += statistics[i] ? (double) views[s] * g[i] : g[i];
      }
    }
    float[] out = new float[n];
    for (int i = 0; i < backboneSize; i++) {
      out[i] = (float) (statistics[i] ? acc[i] / total : acc[i]);
    }
    System.arraycopy(check(head), backboneSize, out, backboneSize, n - backboneSize);
    return out;
  }

  private float[] check(float[] g) {
    if (g.length != statistics.length) {
      throw new IllegalArgumentException(
          "gradient of " + g.length + " values for " + statistics.length + " parameters");
    }
    return g;
  }
}

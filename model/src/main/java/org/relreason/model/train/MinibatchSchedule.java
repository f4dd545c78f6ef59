package org.relreason.model.train;

import org.relreason.model.config.TrainConfig;

/**
 * Which images make up each minibatch: epoch e visits a permutation of the training set drawn from
 * {@code (seed, e)}, in consecutive groups of M (the incomplete last group is dropped, as PyTorch's
 * {@code drop_last=True}). Stateless: any process can compute step s of epoch e, which is what lets
 * checkpoints resume exactly and workers agree on a step without sending images.
 */
public final class MinibatchSchedule {
  private final int datasetSize;
  private final int m;
  private final long seed;

  public MinibatchSchedule(int datasetSize, int m, long seed) {
    if (m < 2) {
      throw new IllegalArgumentException("M (images per minibatch) must be at least 2, got " + m);
    }
    if (datasetSize < m) {
      throw new IllegalArgumentException(
          "the training set has " + datasetSize + " images, fewer than one minibatch of M=" + m);
    }
    this.datasetSize = datasetSize;
    this.m = m;
    this.seed = seed;
  }

  /** The schedule of a configured run over {@code datasetSize} images. */
  public static MinibatchSchedule of(TrainConfig config, int datasetSize) {
    return new MinibatchSchedule(datasetSize, config.m(), Seeds.mix(config.seed(), 2));
  }

  /** Steps a configured run takes: its epochs, capped by {@code max-steps} when that is set. */
  public long totalSteps(TrainConfig config) {
    long all = (long) config.epochs() * stepsPerEpoch();
    return config.maxSteps() > 0 ? Math.min(all, config.maxSteps()) : all;
  }

  /** Minibatches per epoch. */
  public int stepsPerEpoch() {
    return datasetSize / m;
  }

  /** Images per minibatch. */
  public int m() {
    return m;
  }

  /** Dataset indices of minibatch {@code step} of epoch {@code epoch}. */
  public int[] images(int epoch, int step) {
    if (step < 0 || step >= stepsPerEpoch()) {
      throw new IllegalArgumentException("step " + step + " outside [0, " + stepsPerEpoch() + ")");
    }
    int[] perm = permutation(epoch);
    int[] out = new int[m];
    System.arraycopy(perm, step * m, out, 0, m);
    return out;
  }

  /** The permutation of epoch {@code epoch} (Fisher–Yates on a SplitMix64 stream). */
  public int[] permutation(int epoch) {
    int[] p = new int[datasetSize];
    for (int i = 0; i < datasetSize; i++) {
      p[i] = i;
    }
    long state = Seeds.mix(seed, 0x5eed_ba7c_0000L + epoch);
    for (int i = datasetSize - 1; i > 0; i--) {
      state += 0x9E3779B97F4A7C15L;
      int j = (int) Long.remainderUnsigned(Seeds.mix64(state), i + 1L);
      int tmp = p[i];
      p[i] = p[j];
      p[j] = tmp;
    }
    return p;
  }
}

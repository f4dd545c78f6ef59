package org.relreason.protocol;

import java.util.ArrayList;
import java.util.List;
import org.relreason.protocol.v1.IndexRange;

/**
 * Where the batch-norm running statistics sit in the flat parameter vector, as ascending disjoint
 * ranges, and how a full-length gradient is split into the trainable part (statistics positions
 * zeroed) and the statistic deltas ({@code ShardResult.gradient} and {@code bn_stat_deltas}).
 */
public final class StatisticsLayout {
  private final List<IndexRange> ranges;
  private final int[] positions;
  private final int length;

  /** The layout of a mask from {@code RelationalModel.statisticsMask()}. */
  public StatisticsLayout(boolean[] mask) {
    length = mask.length;
    List<IndexRange> out = new ArrayList<>();
    List<Integer> pos = new ArrayList<>();
    for (int i = 0; i < mask.length; i++) {
      if (!mask[i]) {
        continue;
      }
      int start = i;
      while (i < mask.length && mask[i]) {
        pos.add(i++);
      }
      out.add(IndexRange.newBuilder().setStart(start).setEnd(i).build());
    }
    ranges = List.copyOf(out);
    positions = pos.stream().mapToInt(Integer::intValue).toArray();
  }

  /** The ranges, for {@code ShardResult.bn_stat_ranges}. */
  public List<IndexRange> ranges() {
    return ranges;
  }

  /** Number of statistic positions. */
  public int count() {
    return positions.length;
  }

  /** Length of the flat vector. */
  public int length() {
    return length;
  }

  /** The statistic entries of a full-length vector, in position order. */
  public float[] gather(float[] full) {
    float[] out = new float[positions.length];
    for (int i = 0; i < positions.length; i++) {
      out[i] = full[positions[i]];
    }
    return out;
  }

  /** A copy of a full-length vector with the statistic entries set to zero. */
  public float[] withoutStatistics(float[] full) {
    float[] out = full.clone();
    for (int p : positions) {
      out[p] = 0f;
    }
    return out;
  }

  /** Writes statistic entries (in position order) into a full-length vector. */
  public void scatter(float[] statistics, float[] full) {
    for (int i = 0; i < positions.length; i++) {
      full[positions[i]] = statistics[i];
    }
  }

  /** Whether {@code other} (from a message) lists exactly these ranges. */
  public boolean matches(List<IndexRange> other) {
    return ranges.equals(other);
  }
}

package org.relreason.coordinator;

import java.util.ArrayList;
import java.util.List;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Splits a minibatch into shards; pure. IMAGES: contiguous runs of the M images (sizes differ by at
 * most one, each at least 2, since a shard's pairs need two images). VIEWS: contiguous runs of the
 * K·M rows of the view-major view matrix. Which worker computes a shard does not matter: the plan
 * depends only on (mode, M, K, shard count).
 */
public final class ShardPlanner {
  private ShardPlanner() {}

  /** The largest shard count a minibatch allows (asking for more gives this many). */
  public static int maxShards(ShardingMode mode, int m, int k) {
    return mode == ShardingMode.VIEWS ? m * k : m / 2;
  }

  /**
   * The shards of a minibatch of {@code m} images with {@code k} views for {@code wanted} shards.
   */
  public static List<Shard> plan(ShardingMode mode, int m, int k, int wanted) {
    if (wanted < 1) {
      throw new IllegalArgumentException("need at least one shard, got " + wanted);
    }
    int n = Math.min(wanted, maxShards(mode, m, k));
    int total = mode == ShardingMode.VIEWS ? m * k : m;
    List<Shard> out = new ArrayList<>(n);
    int start = 0;
    for (int s = 0; s < n; s++) {
      int size = total / n + (s < total % n ? 1 : 0);
      int[] range = new int[size];
      for (int i = 0; i < size; i++) {
        range[i] = start + i;
      }
      start += size;
      out.add(
          mode == ShardingMode.VIEWS
              ? new Shard(s, new int[0], range)
              : new Shard(s, range, new int[0]));
    }
    return out;
  }
}

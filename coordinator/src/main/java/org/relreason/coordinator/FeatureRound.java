package org.relreason.coordinator;

import io.vertx.core.eventbus.Message;
import java.util.ArrayList;
import java.util.List;
import org.relreason.model.train.StepStats;

/**
 * VIEWS mode, one step: the features of the whole minibatch as they come in from the shards, the
 * replies waiting for the objective, and (once computed) the objective's output. Lives on the
 * coordinator's event loop only.
 */
final class FeatureRound {
  /** The objective over all pairs: feature gradients, the head's gradient, the step statistics. */
  record Output(float[] featureGradients, float[] headGradient, StepStats stats) {}

  final List<Shard> shards;
  final int featureSize;
  final float[] features;
  final boolean[] in;
  final List<List<Message<Object>>> waiters = new ArrayList<>();
  Output output;

  FeatureRound(List<Shard> shards, int rows, int featureSize) {
    this.shards = shards;
    this.featureSize = featureSize;
    this.features = new float[rows * featureSize];
    this.in = new boolean[shards.size()];
    shards.forEach(s -> waiters.add(new ArrayList<>()));
  }

  boolean complete() {
    for (boolean b : in) {
      if (!b) {
        return false;
      }
    }
    return true;
  }

  /** Stores a shard's features {@code [rows, D]} at its rows. */
  void put(int shard, float[] values) {
    int[] rows = shards.get(shard).rows();
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(values, i * featureSize, features, rows[i] * featureSize, featureSize);
    }
    in[shard] = true;
  }

  /** The feature gradients of a shard's rows, {@code [rows, D]} flattened. */
  float[] gradientsOf(int shard) {
    int[] rows = shards.get(shard).rows();
    float[] out = new float[rows.length * featureSize];
    for (int i = 0; i < rows.length; i++) {
      System.arraycopy(
          output.featureGradients(), rows[i] * featureSize, out, i * featureSize, featureSize);
    }
    return out;
  }
}

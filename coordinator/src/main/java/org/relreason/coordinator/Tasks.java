package org.relreason.coordinator;

import org.relreason.model.config.TrainConfig;
import org.relreason.model.method.DeepClusterModel;
import org.relreason.model.train.PretrainModel;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;

/**
 * The {@link ShardTask} of a shard: the step's cursor, the shard's images (IMAGES mode, with
 * DeepCluster's pseudo-labels and class weights) or the minibatch and the shard's views (VIEWS
 * mode), and the step's parameters with a worker's first task of the step. Plain Java.
 */
final class Tasks {
  private final CoordinatorOptions options;
  private final TrainConfig config;
  private final Wire wire;
  private final PretrainModel model;
  private final Snapshots snapshots;
  private double[] classWeights;

  Tasks(
      CoordinatorOptions options,
      TrainConfig config,
      Wire wire,
      PretrainModel model,
      Snapshots snapshots) {
    this.options = options;
    this.config = config;
    this.wire = wire;
    this.model = model;
    this.snapshots = snapshots;
  }

  /** DeepCluster's class weights of the epoch (null for other methods), sent with every task. */
  void classWeights(double[] weights) {
    this.classWeights = weights;
  }

  /**
   * The task of {@code shard} for {@code worker}, with the step's parameters unless that worker was
   * sent them already (a second shard of the same step): one request/response per shard per step.
   */
  ShardTask task(StepRound st, Shard shard, String worker) {
    ShardTask.Builder b =
        ShardTask.newBuilder()
            .setHeader(wire.header(st.step, st.version))
            .setShardId(shard.id())
            .setShardCount(st.shards.size())
            .setMode(options.mode())
            .setSeed(config.seed())
            .setEpoch(st.epoch)
            .setK(config.k())
            .setM(config.m())
            .setDeadlineMs((int) Math.min(Integer.MAX_VALUE, options.deadlineMs()));
    if (st.pushedTo.add(worker)) {
      b.setParams(snapshots.of(st.step, st.version));
    }
    if (options.mode() == ShardingMode.IMAGES) {
      int[] mine = new int[shard.positions().length];
      for (int i = 0; i < mine.length; i++) {
        mine[i] = st.images[shard.positions()[i]];
        b.addImageIndices(mine[i]);
      }
      if (model instanceof DeepClusterModel dc) {
        for (int y : dc.pseudoLabels(mine)) {
          b.addLabels(y);
        }
        for (double w : classWeights) {
          b.addClassWeights(w);
        }
      }
    } else {
      for (int image : st.images) {
        b.addImageIndices(image);
      }
      for (int row : shard.rows()) {
        b.addViewIndices(viewNumber(row));
      }
    }
    return b.build();
  }

  /** The wire numbering {@code n*K + v} of view-major row {@code v*M + n}. */
  int viewNumber(int row) {
    return (row % config.m()) * config.k() + row / config.m();
  }
}

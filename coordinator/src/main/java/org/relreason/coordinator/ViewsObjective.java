package org.relreason.coordinator;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.train.RelationalModel;
import org.relreason.model.train.RelationalObjective;

/**
 * VIEWS mode's part on the coordinator: the relation head and loss over all M·K(K−1) pairs of the
 * minibatch (Patacchiola and Storkey 2020, Eq. 2), from the features every worker sent, giving each
 * shard the gradient of its features and the head its gradient. No Vert.x: the verticle gathers the
 * features ({@link FeatureRound}), runs {@link #run} on its ordered executor and replies.
 */
final class ViewsObjective {
  private final RelationalModel model;
  private final int m;
  private final int k;

  ViewsObjective(RelationalModel model, int m, int k) {
    this.model = model;
    this.m = m;
    this.k = k;
  }

  /** The objective over the round's features (all shards in); blocking ND4J work. */
  FeatureRound.Output run(FeatureRound r) {
    RelationalObjective.Output out =
        model
            .objective()
            .forwardBackward(
                Nd4j.createFromArray(r.features).reshape(m * k, r.featureSize), PairPlan.of(m, k));
    float[] head = new float[(int) model.numParams()];
    if (model.numParams() > model.backboneParams()) { // the dot head has none
      float[] h = model.head().gradients().toFloatVector();
      System.arraycopy(h, 0, head, (int) model.backboneParams(), h.length);
    }
    INDArray dF = out.featureGradient();
    return new FeatureRound.Output(dF.reshape(dF.length()).toFloatVector(), head, out.stats());
  }

  /** Whether the loss and both gradients are finite (finite features can still overflow). */
  static boolean finite(FeatureRound.Output out) {
    return Double.isFinite(out.stats().loss())
        && allFinite(out.featureGradients())
        && allFinite(out.headGradient());
  }

  /** The shard holding the feature of largest magnitude (the first such), and that magnitude. */
  static Largest largest(FeatureRound r) {
    int worst = 0;
    float worstAbs = -1;
    for (int s = 0; s < r.shards.size(); s++) {
      for (int row : r.shards.get(s).rows()) {
        for (int j = row * r.featureSize; j < (row + 1) * r.featureSize; j++) {
          if (Math.abs(r.features[j]) > worstAbs) {
            worstAbs = Math.abs(r.features[j]);
            worst = s;
          }
        }
      }
    }
    return new Largest(worst, worstAbs);
  }

  /** A shard and the largest magnitude among its features. */
  record Largest(int shard, float magnitude) {}

  private static boolean allFinite(float[] values) {
    for (float v : values) {
      if (!Float.isFinite(v)) {
        return false;
      }
    }
    return true;
  }
}

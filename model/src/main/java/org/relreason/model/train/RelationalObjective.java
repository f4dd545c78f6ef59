package org.relreason.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.PairAggregator;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.nn.RelationHead;

/**
 * The relational objective on given features: aggregate the pairs of a {@link PairPlan}, score them
 * with the relation head, take the focal loss, and back-propagate to the features. It is separate
 * from the backbone so that a parameter server can run it over the features of a whole minibatch
 * gathered from several workers ("views" sharding).
 */
public final class RelationalObjective {
  private final PairAggregator aggregator;
  private final RelationHead head;
  private final FocalLoss loss;

  public RelationalObjective(PairAggregator aggregator, RelationHead head, FocalLoss loss) {
    this.aggregator = aggregator;
    this.head = head;
    this.loss = loss;
  }

  /** Result: statistics, and {@code dL/dfeatures}; the head's gradients are in its view. */
  public record Output(StepStats stats, INDArray featureGradient) {}

  /**
   * The mean loss over the plan's pairs, forward only (batch-norm in batch mode, as in training).
   */
  public double loss(INDArray features, PairPlan plan) {
    INDArray logits = head.forward(aggregator.forward(features, plan), true);
    return loss.evaluate(logits.reshape(logits.length()).toDoubleVector(), plan.targets()).loss();
  }

  /**
   * Forward and backward of the objective. The head's gradient view is overwritten; the returned
   * feature gradient is of the mean loss over this plan's pairs.
   */
  public Output forwardBackward(INDArray features, PairPlan plan) {
    return forwardBackward(features, plan, new PhaseTimer());
  }

  /** As {@link #forwardBackward(INDArray, PairPlan)}, charging time to the timer's phases. */
  public Output forwardBackward(INDArray features, PairPlan plan, PhaseTimer timer) {
    timer.start();
    INDArray pairs = aggregator.forward(features, plan);
    timer.stop(Phase.PAIRING);
    INDArray logits = head.forward(pairs, true);
    timer.stop(Phase.HEAD);
    double[] x = logits.reshape(logits.length()).toDoubleVector();
    FocalLoss.Result r = loss.evaluate(x, plan.targets());
    INDArray dLogits =
        Nd4j.createFromArray(r.gradient()).castTo(logits.dataType()).reshape(logits.shape());
    timer.stop(Phase.LOSS);
    INDArray dPairs = head.backward(dLogits);
    timer.stop(Phase.HEAD);
    INDArray dFeatures = aggregator.backward(dPairs, plan);
    timer.stop(Phase.PAIRING);
    StepStats stats =
        new StepStats(
            r.loss() * plan.pairs(),
            plan.pairs(),
            r.positives(),
            r.positivesCorrect(),
            r.negatives(),
            r.negativesCorrect());
    return new Output(stats, dFeatures);
  }
}

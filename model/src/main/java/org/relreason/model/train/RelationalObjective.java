package org.relreason.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.PairAggregator;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.nn.RelationHead;

/**
 * The relational objective on given features: score the pairs of a {@link PairPlan} (by default:
 * aggregate them and apply the relation head), take the focal loss, and back-propagate to the
 * features. It is separate from the backbone so that a parameter server can run it over the
 * features of a whole minibatch gathered from several workers ("views" sharding).
 */
public final class RelationalObjective {
  private final PairScorer scorer;
  private final FocalLoss loss;

  /** The paper's objective: aggregation, relation head, loss. */
  public RelationalObjective(PairAggregator aggregator, RelationHead head, FocalLoss loss) {
    this(new MlpPairScorer(aggregator, head), loss);
  }

  /** The objective with any pair scorer (the head ablations). */
  public RelationalObjective(PairScorer scorer, FocalLoss loss) {
    this.scorer = scorer;
    this.loss = loss;
  }

  /** What scores the pairs. */
  public PairScorer scorer() {
    return scorer;
  }

  /** Result: statistics, and {@code dL/dfeatures}; the head's gradients are in its view. */
  public record Output(StepStats stats, INDArray featureGradient) {}

  /**
   * The mean loss over the plan's pairs, forward only (batch-norm in batch mode, as in training).
   */
  public double loss(INDArray features, PairPlan plan) {
    INDArray logits = scorer.forward(features, plan, true, new PhaseTimer());
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
    INDArray logits = scorer.forward(features, plan, true, timer);
    double[] x = logits.reshape(logits.length()).toDoubleVector();
    FocalLoss.Result r = loss.evaluate(x, plan.targets());
    INDArray dLogits =
        Nd4j.createFromArray(r.gradient()).castTo(logits.dataType()).reshape(logits.shape());
    timer.stop(Phase.LOSS);
    INDArray dFeatures = scorer.backward(dLogits, plan, timer);
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

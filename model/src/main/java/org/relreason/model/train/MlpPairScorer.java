package org.relreason.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.nn.PairAggregator;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.nn.RelationHead;

/** The paper's scorer: aggregate each pair ({@link PairAggregator}), then the relation head. */
public final class MlpPairScorer implements PairScorer {
  private final PairAggregator aggregator;
  private final RelationHead head;

  public MlpPairScorer(PairAggregator aggregator, RelationHead head) {
    this.aggregator = aggregator;
    this.head = head;
  }

  /** The relation head. */
  public RelationHead head() {
    return head;
  }

  @Override
  public INDArray forward(INDArray features, PairPlan plan, boolean training, PhaseTimer timer) {
    INDArray pairs = aggregator.forward(features, plan);
    timer.stop(Phase.PAIRING);
    INDArray logits = head.forward(pairs, training);
    timer.stop(Phase.HEAD);
    return logits;
  }

  @Override
  public INDArray backward(INDArray logitGradient, PairPlan plan, PhaseTimer timer) {
    INDArray dPairs = head.backward(logitGradient);
    timer.stop(Phase.HEAD);
    INDArray dFeatures = aggregator.backward(dPairs, plan);
    timer.stop(Phase.PAIRING);
    return dFeatures;
  }

  @Override
  public long numParams() {
    return head.numParams();
  }

  @Override
  public INDArray params() {
    return head.params();
  }

  @Override
  public INDArray gradients() {
    return head.gradients();
  }

  @Override
  public void bind(INDArray paramsView) {
    head.bind(paramsView);
  }

  @Override
  public boolean[] statisticsMask() {
    return head.statisticsMask();
  }
}

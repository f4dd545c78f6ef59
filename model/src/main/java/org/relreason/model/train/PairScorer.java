package org.relreason.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.nn.ParamBlock;

/**
 * What turns the features of a step into one logit per pair of a {@link PairPlan}: the paper's
 * aggregation + relation head ({@link MlpPairScorer}) or an ablation ({@link DotPairScorer}).
 *
 * <p>Lifecycle: {@link #forward} in training mode, then at most one {@link #backward} with {@code
 * dL/dlogits}, which overwrites {@link ParamBlock#gradients()}.
 */
public interface PairScorer extends ParamBlock {

  /** Logits {@code [P, 1]} of the plan's pairs of {@code features [K*M, D]}. */
  INDArray forward(INDArray features, PairPlan plan, boolean training, PhaseTimer timer);

  /** {@code dL/dfeatures [K*M, D]} from {@code dL/dlogits [P, 1]} of the last forward. */
  INDArray backward(INDArray logitGradient, PairPlan plan, PhaseTimer timer);
}

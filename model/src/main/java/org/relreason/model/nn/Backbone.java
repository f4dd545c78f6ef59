package org.relreason.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network from images {@code [N, C, H, W]} to feature vectors {@code [N, D]}, trained from an
 * external gradient on its features (the relational objective sits outside it).
 *
 * <p>Lifecycle: {@link #forward(INDArray, boolean)} with {@code training=true}, then exactly one
 * {@link #backward(INDArray)} with {@code dL/dfeatures}, which overwrites {@link #gradients()}.
 * Parameters are a flat view that an owner may place inside a larger buffer with {@link
 * #bind(INDArray)}; gradients are a flat array owned by the backbone (DL4J 1.0.0-M2.1 re-creates
 * its gradient view during backprop, so a gradient buffer cannot be shared; owners copy it).
 */
public interface Backbone extends ParamBlock {

  /** Feature size D. */
  int featureSize();

  /** Number of values in the flat parameter vector (including batch-norm running statistics). */
  @Override
  long numParams();

  /** The live flat parameter view. */
  @Override
  INDArray params();

  /** The live flat gradient view, filled by {@link #backward(INDArray)}. */
  @Override
  INDArray gradients();

  /**
   * Moves the parameters into the given view of length {@link #numParams()}, copying the current
   * values into it; from then on the backbone reads and writes its parameters there.
   */
  @Override
  void bind(INDArray paramsView);

  /**
   * Positions in the flat parameter vector that hold batch-norm running statistics. Their entries
   * in {@link #gradients()} are deltas to subtract as they are ({@code p -= g}), not gradients for
   * the optimizer.
   *
   * <p>What Deeplearning4j 1.0.0-M2.1 puts there after a training forward and {@link
   * #backward(INDArray)} (checked to 1e-12 in double by {@code BatchNormStatisticsTest}), per
   * channel, with {@code d} the decay (0.9 here, PyTorch's momentum 0.1) and the batch statistics
   * taken over N, H and W of the batch-norm input:
   *
   * <ul>
   *   <li>mean: {@code g = (1 - d) (mean - batchMean)}, so {@code p - g = d mean + (1 - d)
   *       batchMean};
   *   <li>log10 std (stored instead of the variance, DL4J's default): with {@code var = 10^(2 p)},
   *       {@code p - g = 0.5 log10(d var + (1 - d) batchVar)}: the moving average is taken on the
   *       variance, not on the log; {@code batchVar} is the biased variance (divided by {@code N H
   *       W}; PyTorch's running variance uses the unbiased one) and no epsilon is added.
   * </ul>
   *
   * <p>The forward itself never changes them; {@code p -= g} is to be applied once per training
   * step. Averaging these entries over workers is exact for the mean but only approximate for the
   * log10 std (the average is taken in log space).
   */
  @Override
  boolean[] statisticsMask();

  /**
   * Features {@code [N, D]} of images {@code [N, C, H, W]}; batch-norm in batch mode when training.
   */
  INDArray forward(INDArray images, boolean training);

  /**
   * Back-propagates {@code dL/dfeatures [N, D]} of the last training forward into {@link
   * #gradients()}.
   */
  void backward(INDArray featureGradient);
}

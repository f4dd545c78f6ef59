package org.relreason.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A network from images {@code [N, C, H, W]} to feature vectors {@code [N, D]}, trained from an
 * external gradient on its features (the relational objective sits outside it).
 *
 * <p>Lifecycle: {@link #forward(INDArray, boolean)} with {@code training=true}, then exactly one
 * {@link #backward(INDArray)} with {@code dL/dfeatures}, which overwrites {@link #gradients()}.
 * Parameters and gradients are flat views; an owner may place them inside larger buffers with
 * {@link #bind(INDArray, INDArray)}.
 */
public interface Backbone {

  /** Feature size D. */
  int featureSize();

  /** Number of values in the flat parameter vector (including batch-norm running statistics). */
  long numParams();

  /** The live flat parameter view. */
  INDArray params();

  /** The live flat gradient view, filled by {@link #backward(INDArray)}. */
  INDArray gradients();

  /**
   * Moves parameters and gradients into the given views (each of length {@link #numParams()}),
   * copying the current parameter values into {@code paramsView}.
   */
  void bind(INDArray paramsView, INDArray gradientsView);

  /**
   * Positions in the flat parameter vector that hold batch-norm running statistics. Their entries
   * in {@link #gradients()} are deltas to subtract as they are ({@code p -= g}), not gradients for
   * the optimizer.
   */
  boolean[] statisticsMask();

  /** Features {@code [N, D]} of images {@code [N, C, H, W]}; batch-norm in batch mode when training. */
  INDArray forward(INDArray images, boolean training);

  /** Back-propagates {@code dL/dfeatures [N, D]} of the last training forward into {@link #gradients()}. */
  void backward(INDArray featureGradient);
}

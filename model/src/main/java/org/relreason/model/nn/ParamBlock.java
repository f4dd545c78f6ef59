package org.relreason.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A part of a model with its own flat parameters and gradients (a backbone, a head), so that an
 * owner can place every part in one flat vector for the optimizer, the checkpoint and the parameter
 * server. A part without parameters reports {@code numParams() == 0} and is never bound.
 */
public interface ParamBlock {

  /** Number of values in the flat parameter vector (including batch-norm running statistics). */
  long numParams();

  /** The live flat parameter view. */
  INDArray params();

  /** The flat gradient array, filled by the part's backward. */
  INDArray gradients();

  /**
   * Moves the parameters into the given view of length {@link #numParams()}, copying the current
   * values into it; from then on the part reads its parameters there.
   */
  void bind(INDArray paramsView);

  /** Positions of batch-norm running statistics (see {@link Backbone#statisticsMask()}). */
  boolean[] statisticsMask();

  /**
   * The common first half of {@link #bind}: checks that {@code view} holds as many values as {@code
   * current}, copies {@code current} into it and returns it, so that a part's {@code bind} only has
   * to re-derive its per-array views from the returned vector. One home for the check and its
   * message, which every part with its own flat parameters had repeated.
   *
   * @throws IllegalArgumentException if the lengths differ
   */
  static INDArray moveInto(INDArray current, INDArray view) {
    if (view.length() != current.length()) {
      throw new IllegalArgumentException(
          "expected a view of " + current.length() + " values, got " + view.length());
    }
    view.assign(current);
    return view;
  }
}

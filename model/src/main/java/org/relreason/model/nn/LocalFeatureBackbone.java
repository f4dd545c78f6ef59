package org.relreason.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optional capability of a {@link Backbone}: besides its global features it exposes local
 * feature maps of its last training forward (spatial maps whose every location sees only a patch of
 * the image) and back-propagates from gradients on the features and on one such map. Deep InfoMax's
 * local objective needs it; a method that does checks {@code instanceof} and refuses other
 * backbones by name.
 *
 * <p>The maps are numbered from 1 (the earliest, smallest receptive field) to {@link
 * #localBlocks()}; what each one is is documented by the implementation (the fast Conv-4 gives
 * block b's ReLU output before its pooling: map 1 is the one the relational-reasoning paper's Deep
 * InfoMax code reads, map 3 the 8×8 mid-level map of 32×32 inputs that DIM's paper uses).
 *
 * <p>Lifecycle: {@link #forward} with {@code training=true}, then {@link #localFeatures} any number
 * of times, then exactly one backward, either {@link #backward(INDArray)} (no gradient on a map) or
 * {@link #backward(INDArray, int, INDArray)}.
 */
public interface LocalFeatureBackbone extends Backbone {

  /** How many local maps there are (numbered 1 to this). */
  int localBlocks();

  /** Channels C of local map {@code block}. */
  int localChannels(int block);

  /**
   * Local map {@code block} of the last training forward, {@code [N, H', W', C]} channels last (a
   * location's C values are contiguous, so a 1×1 convolution over the map is a matrix product on
   * its {@code [N·H'·W', C]} rows); a fresh copy.
   *
   * @throws IllegalStateException without a training forward since the last backward
   * @throws IllegalArgumentException for a block outside 1..{@link #localBlocks()}
   */
  INDArray localFeatures(int block);

  /**
   * Back-propagates {@code dL/dfeatures [N, D]} and {@code dL/dlocal [N, H', W', C]} on local map
   * {@code block} (layout of {@link #localFeatures}) of the last training forward into {@link
   * #gradients()}.
   */
  void backward(INDArray featureGradient, int block, INDArray localGradient);
}

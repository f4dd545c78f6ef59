package org.relreason.model.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * An optional capability of a {@link Backbone}: besides its global features it exposes a local
 * feature map of its last training forward (a spatial map whose every location sees only a patch of
 * the image) and back-propagates from gradients on both. Deep InfoMax's local objective needs it; a
 * method that does checks {@code instanceof} and refuses other backbones by name.
 *
 * <p>Which map is "local" is the backbone's choice and is documented by the implementation (the
 * fast Conv-4 gives the first block's ReLU output before its pooling, as the relational-reasoning
 * paper's Deep InfoMax code does).
 *
 * <p>Lifecycle: {@link #forward} with {@code training=true}, then {@link #localFeatures()} any
 * number of times, then exactly one backward, either {@link #backward(INDArray)} (no gradient on
 * the map) or {@link #backward(INDArray, INDArray)}.
 */
public interface LocalFeatureBackbone extends Backbone {

  /** Channels C of the local map. */
  int localChannels();

  /**
   * The local feature map of the last training forward, {@code [N, H', W', C]} channels last (a
   * location's C values are contiguous, so a 1×1 convolution over the map is a matrix product on
   * its {@code [N·H'·W', C]} rows); a fresh copy.
   *
   * @throws IllegalStateException without a training forward since the last backward
   */
  INDArray localFeatures();

  /**
   * Back-propagates {@code dL/dfeatures [N, D]} and {@code dL/dlocal [N, H', W', C]} (layout of
   * {@link #localFeatures()}) of the last training forward into {@link #gradients()}.
   */
  void backward(INDArray featureGradient, INDArray localGradient);
}

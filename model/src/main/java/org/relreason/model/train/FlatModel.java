package org.relreason.model.train;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.ParamBlock;

/**
 * A backbone and a head with ONE flat parameter vector and ONE flat gradient vector ({@code
 * [backbone | head]}), so that an optimizer, a checkpoint or a parameter server handles a single
 * array: what every pre-training model (relational reasoning and the baselines) shares. The
 * networks read their parameters from the shared vector ({@link ParamBlock#bind}); their gradients
 * are copied into the flat gradient vector after each backward ({@link #collectGradients}).
 */
public abstract class FlatModel implements PretrainModel {
  private final Backbone backbone;
  private final ParamBlock head;
  private final INDArray params;
  private final INDArray gradients;
  private final boolean[] statisticsMask;
  private final long backboneSize;

  /**
   * Moves the parameters of {@code backbone} and {@code head} (each freshly initialised) into one
   * new vector, backbone first; a head without parameters (the dot product) takes no slice.
   */
  protected FlatModel(Backbone backbone, ParamBlock head, DataType dtype) {
    this.backbone = backbone;
    this.head = head;
    backboneSize = backbone.numParams();
    long total = backboneSize + head.numParams();
    params = Nd4j.create(dtype, 1, total);
    gradients = Nd4j.create(dtype, 1, total);
    backbone.bind(slice(params, 0, backboneSize));
    if (total > backboneSize) {
      head.bind(slice(params, backboneSize, total));
    }
    statisticsMask = new boolean[(int) total];
    System.arraycopy(backbone.statisticsMask(), 0, statisticsMask, 0, (int) backboneSize);
    System.arraycopy(
        head.statisticsMask(), 0, statisticsMask, (int) backboneSize, (int) head.numParams());
  }

  private static INDArray slice(INDArray row, long from, long to) {
    return row.get(interval(0, 1), interval(from, to));
  }

  /** The backbone (kept after pre-training; the head is dropped). */
  @Override
  public final Backbone backbone() {
    return backbone;
  }

  /** Number of values in the flat vector. */
  @Override
  public final long numParams() {
    return params.length();
  }

  /** Number of leading values that belong to the backbone. */
  @Override
  public final long backboneParams() {
    return backboneSize;
  }

  /** The live flat parameter vector {@code [1, n]}. */
  @Override
  public final INDArray params() {
    return params;
  }

  /** The live flat gradient vector {@code [1, n]}, written by {@link #collectGradients}. */
  @Override
  public final INDArray gradients() {
    return gradients;
  }

  /** Positions of batch-norm running statistics (see {@link Backbone#statisticsMask()}). */
  @Override
  public final boolean[] statisticsMask() {
    return statisticsMask.clone();
  }

  /** A copy of the parameters. */
  @Override
  public final float[] paramsVector() {
    return NativeBuffers.get(params, new float[Math.toIntExact(params.length())]);
  }

  /** The parameters, copied into {@code out} (of their length), which is returned. */
  @Override
  public final float[] paramsVector(float[] out) {
    return NativeBuffers.get(params, out);
  }

  /** A copy of the gradients. */
  @Override
  public final float[] gradientVector() {
    return NativeBuffers.get(gradients, new float[Math.toIntExact(gradients.length())]);
  }

  /** The gradients, copied into {@code out} (of their length), which is returned. */
  @Override
  public final float[] gradientVector(float[] out) {
    return NativeBuffers.get(gradients, out);
  }

  /** Overwrites the parameters. */
  @Override
  public final void setParams(float[] values) {
    if (values.length != params.length()) {
      throw new IllegalArgumentException(
          values.length + " parameter values for a model of " + params.length());
    }
    NativeBuffers.put(values, params);
  }

  /** Copies the backbone's and the head's gradients into the flat gradient vector. */
  public final void collectGradients() {
    slice(gradients, 0, backboneSize).assign(backbone.gradients());
    if (gradients.length() > backboneSize) {
      slice(gradients, backboneSize, gradients.length()).assign(head.gradients());
    }
  }
}

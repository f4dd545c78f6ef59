package org.relreason.model.nn;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A backbone followed by one linear layer {@code z = h W + b} after its pooling: the representation
 * size of Kolesnikov et al. 2019 (Section 4.3), which they fix apart from the width factor to tell
 * the two effects apart. The wrapped backbone's forward and backward are unchanged.
 *
 * <p>Flat parameters: the backbone's, then {@code W [in][size]} row-major, then {@code b [size]};
 * initialised as PyTorch's {@code nn.Linear} (uniform in {@code ±1/sqrt(in)}, from the given seed).
 * Gradients are a flat array of the same layout, the backbone's part copied in after its backward.
 */
public final class RepresentationBackbone implements Backbone {
  private final Backbone inner;
  private final int in;
  private final int size;
  private final long innerParams;
  private INDArray params;
  private INDArray w;
  private INDArray b;
  private final INDArray gradients;
  private final INDArray gw;
  private final INDArray gb;
  private INDArray lastHidden;

  /**
   * @param inner the backbone (its parameters move into this one's flat vector)
   * @param size the representation size, at least 1
   * @param seed seed of the linear layer's initialisation
   */
  public RepresentationBackbone(Backbone inner, int size, long seed) {
    if (size < 1) {
      throw new IllegalArgumentException("representation size must be >= 1, got " + size);
    }
    this.inner = inner;
    this.in = inner.featureSize();
    this.size = size;
    this.innerParams = inner.numParams();
    DataType dtype = inner.params().dataType();
    long n = innerParams + (long) in * size + size;
    INDArray flat = Nd4j.create(dtype, 1, n);
    slice(flat, 0, innerParams).assign(inner.params().reshape(1, innerParams));
    SplittableRandom rng = new SplittableRandom(seed);
    double bound = 1 / Math.sqrt(in);
    for (long i = innerParams; i < n; i++) {
      flat.putScalar(0, i, rng.nextDouble(-bound, bound));
    }
    this.params = flat;
    bindViews();
    this.gradients = Nd4j.create(dtype, 1, n);
    this.gw = slice(gradients, innerParams, (long) in * size).reshape('c', in, size);
    this.gb = slice(gradients, innerParams + (long) in * size, size).reshape('c', 1, size);
  }

  private void bindViews() {
    inner.bind(slice(params, 0, innerParams));
    w = slice(params, innerParams, (long) in * size).reshape('c', in, size);
    b = slice(params, innerParams + (long) in * size, size).reshape('c', 1, size);
  }

  /**
   * Values {@code [from, from + length)} of a {@code [1, n]} row, as a {@code [1, length]} view.
   */
  private static INDArray slice(INDArray row, long from, long length) {
    return row.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(from, from + length));
  }

  /** The wrapped backbone (for per-block features). */
  public Backbone inner() {
    return inner;
  }

  /** {@code W [in, size]}, a live view. */
  public INDArray weights() {
    return w;
  }

  /** {@code b [1, size]}, a live view. */
  public INDArray bias() {
    return b;
  }

  @Override
  public int featureSize() {
    return size;
  }

  @Override
  public long numParams() {
    return params.length();
  }

  @Override
  public INDArray params() {
    return params;
  }

  @Override
  public INDArray gradients() {
    return gradients;
  }

  @Override
  public void bind(INDArray paramsView) {
    params = ParamBlock.moveInto(params, paramsView);
    bindViews();
  }

  @Override
  public boolean[] statisticsMask() {
    boolean[] mask = new boolean[Math.toIntExact(numParams())];
    boolean[] innerMask = inner.statisticsMask();
    System.arraycopy(innerMask, 0, mask, 0, innerMask.length);
    return mask;
  }

  @Override
  public INDArray forward(INDArray images, boolean training) {
    INDArray h = inner.forward(images, training);
    lastHidden = training ? h : null;
    return project(h);
  }

  /** {@code h W + b} for pooled backbone features {@code h [N, in]}. */
  public INDArray project(INDArray h) {
    return h.mmul(w).addiRowVector(b);
  }

  @Override
  public void backward(INDArray featureGradient) {
    if (lastHidden == null) {
      throw new IllegalStateException("backward() needs a training forward() first");
    }
    // dL/dW = h^T g, dL/db = sum over the batch of g, dL/dh = g W^T
    gw.assign(lastHidden.transpose().mmul(featureGradient));
    gb.assign(featureGradient.sum(true, 0));
    INDArray dh = featureGradient.mmul(w.transpose());
    inner.backward(dh);
    slice(gradients, 0, innerParams).assign(inner.gradients().reshape(1, innerParams));
    lastHidden = null;
  }
}

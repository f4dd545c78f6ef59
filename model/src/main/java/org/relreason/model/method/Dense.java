package org.relreason.model.method;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;
import static org.nd4j.linalg.indexing.NDArrayIndex.point;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One linear layer {@code y = x W + b} ({@code W [in, out]} row-major, then {@code b [out]}) whose
 * parameters and gradients are views of an owner's flat vectors at a given offset: the building
 * block of Deep InfoMax's discriminators. A 1×1 convolution over a channels-last map is this layer
 * on the map's rows. Gradients accumulate ({@link #accumulate}) so that one layer can be applied to
 * several inputs in a step (matched and mismatched pairs); the owner zeroes them first.
 */
final class Dense {
  final int in;
  final int out;
  private INDArray w;
  private INDArray b;
  private INDArray gw;
  private INDArray gb;
  private INDArray params;
  private INDArray gradients;
  private long offset;

  Dense(int in, int out) {
    if (in < 1 || out < 1) {
      throw new IllegalArgumentException(
          "a dense layer needs positive sizes, got " + in + "→" + out);
    }
    this.in = in;
    this.out = out;
  }

  /** Values in the flat vectors. */
  long numParams() {
    return (long) in * out + out;
  }

  /**
   * Points the layer at {@code params} and {@code gradients} (rows {@code [1, n]}) at {@code
   * offset}.
   */
  void bind(INDArray params, INDArray gradients, long offset) {
    this.params = params;
    this.gradients = gradients;
    this.offset = offset;
    long wLen = (long) in * out;
    w = slice(params, offset, wLen).reshape('c', in, out);
    gw = slice(gradients, offset, wLen).reshape('c', in, out);
    b = slice(params, offset + wLen, out).reshape(1, out);
    gb = slice(gradients, offset + wLen, out).reshape(1, out);
  }

  /**
   * Rows {@code [from, to)} of the weights, a live view {@code [to − from, out]}. Cut from the flat
   * vector (the rows are contiguous) rather than with {@code weights().get(interval(..), all())}:
   * in ND4J 1.0.0-M2.1 that gave a rank-0 array for the second half of a {@code [128, 256]} weight
   * bound into a model's vector (Deep InfoMax on Conv-4's fourth map, 64 + 64 input rows).
   */
  INDArray weightRows(long from, long to) {
    return slice(params, offset + from * out, (to - from) * out).reshape('c', to - from, out);
  }

  /** Rows {@code [from, to)} of the weight gradient, as {@link #weightRows}. */
  INDArray weightGradientRows(long from, long to) {
    return slice(gradients, offset + from * out, (to - from) * out).reshape('c', to - from, out);
  }

  private static INDArray slice(INDArray row, long from, long len) {
    return row.get(point(0), interval(from, from + len));
  }

  /**
   * Weights and biases uniform in {@code ±1/sqrt(in)}: PyTorch's default for {@code nn.Linear} and
   * for a 1×1 {@code nn.Conv2d} (whose fan-in is its input channels).
   */
  void initialize(SplittableRandom rnd) {
    double bound = 1 / Math.sqrt(in);
    double[] v = new double[(int) numParams()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (rnd.nextDouble() * 2 - 1) * bound;
    }
    INDArray values = Nd4j.createFromArray(v).castTo(w.dataType());
    w.assign(values.get(interval(0, (long) in * out)).reshape('c', in, out));
    b.assign(values.get(interval((long) in * out, v.length)).reshape(1, out));
  }

  /** The weight matrix {@code [in, out]} (a live view). */
  INDArray weights() {
    return w;
  }

  /** The weight gradient {@code [in, out]} (a live view). */
  INDArray weightGradient() {
    return gw;
  }

  /** The bias {@code [1, out]} (a live view). */
  INDArray bias() {
    return b;
  }

  /** The bias gradient {@code [1, out]} (a live view). */
  INDArray biasGradient() {
    return gb;
  }

  /** {@code x W + b} for rows {@code x [R, in]}, a new array. */
  INDArray forward(INDArray x) {
    INDArray y = Nd4j.create(w.dataType(), x.size(0), out);
    Nd4j.gemm(x, w, y, false, false, 1.0, 0.0);
    return y.addiRowVector(b);
  }

  /** Adds this input's share to the gradients: {@code gW += xᵀ dy}, {@code gb += Σ_rows dy}. */
  void accumulate(INDArray x, INDArray dy) {
    Nd4j.gemm(x, dy, gw, true, false, 1.0, 1.0);
    gb.addi(dy.sum(0).reshape(1, out));
  }

  /** {@code dL/dx = dy Wᵀ}, a new array. */
  INDArray inputGradient(INDArray dy) {
    INDArray dx = Nd4j.create(w.dataType(), dy.size(0), in);
    Nd4j.gemm(dy, w, dx, false, true, 1.0, 0.0);
    return dx;
  }

  /** ReLU in place. */
  static INDArray relu(INDArray x) {
    return org.nd4j.linalg.ops.transforms.Transforms.relu(x, false);
  }

  /**
   * The ReLU's backward in place: {@code dy ← dy ⊙ [y > 0]} for {@code y} a ReLU output (libnd4j's
   * {@code relu_bp}, which reads the mask from its first input).
   */
  static INDArray reluBackward(INDArray y, INDArray dy) {
    Nd4j.getExecutioner()
        .exec(
            DynamicCustomOp.builder("relu_bp")
                .addInputs(y, dy)
                .addOutputs(dy)
                .addFloatingPointArguments(0.0)
                .build());
    return dy;
  }
}

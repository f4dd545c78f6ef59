package org.relreason.model.nn.fast;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.transforms.gradient.LeakyReLUDerivative;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The training forward and backward of a two-layer head (Linear → BatchNorm → LeakyReLU(0.01) →
 * Linear: the relation head, SimCLR's projection) written with GEMMs and row reductions on buffers
 * kept between steps, on the parameters and gradients of a Deeplearning4j {@code MultiLayerNetwork}
 * of that shape (same flat layout, same running-statistic deltas), so the two are interchangeable.
 *
 * <p>Why: the Deeplearning4j layers took about 0.45 s of a 1.3 s Conv-4 step at K=16 (15,360 pair
 * rows), several times the three GEMMs' arithmetic (about 3 GFLOP); per-layer bookkeeping and fresh
 * allocations of every activation and gradient dominated.
 *
 * <p>The batch norm is {@link NativeBatchNorm} on the {@code [P, hidden]} pre-activations (batch
 * mean and biased variance, libnd4j's {@code batchnorm} for the affine map, the backward as row
 * reductions and broadcasts), the same ops as the ResNets' batch norms, on an NHWC {@code [P, 1, 1,
 * hidden]} view; LeakyReLU is {@code max(y, 0.01 y)} forward and libnd4j's legacy derivative op
 * times dy backward (slope 1 at an exact 0, where PyTorch takes 0.01). Issue #16 measured the head
 * at K=32 (63,488 pair rows) at 0.93 s of a 1.63 s Conv-4 step before this: element-wise passes
 * over the {@code [P, 256]} buffers and two fresh {@code [P, 256]} arrays a step for the slope
 * mask, not the GEMMs. Not thread-safe.
 */
public final class NativeMlpHead {
  private static final double SLOPE = 0.01;

  private final DataType dtype;
  private final int hidden;
  private final int outputs;
  private final INDArray w1;
  private final INDArray b1;
  private final INDArray w2;
  private final INDArray b2;
  private final INDArray gW1;
  private final INDArray gB1;
  private final INDArray gW2;
  private final INDArray gB2;
  private final NativeBatchNorm bn;
  private Buffers buffers;

  /**
   * @param params views of the dense, batch-norm and output layers' parameters, by Deeplearning4j
   *     key: {@code 0_W, 0_b, 1_gamma, 1_beta, 1_mean, 1_log10stdev, 3_W, 3_b}
   * @param gradients views of the matching gradients (same keys)
   */
  public NativeMlpHead(Map<String, INDArray> params, Map<String, INDArray> gradients) {
    w1 = params.get("0_W");
    b1 = row(params.get("0_b"));
    w2 = params.get("3_W");
    b2 = row(params.get("3_b"));
    gW1 = gradients.get("0_W");
    gB1 = row(gradients.get("0_b"));
    gW2 = gradients.get("3_W");
    gB2 = row(gradients.get("3_b"));
    dtype = w1.dataType();
    hidden = (int) w1.size(1);
    outputs = (int) w2.size(1);
    String[] names = {"1_gamma", "1_beta", "1_mean", "1_log10stdev"};
    INDArray[] p = new INDArray[names.length];
    INDArray[] g = new INDArray[names.length];
    for (int i = 0; i < names.length; i++) {
      p[i] = vector(params.get(names[i]));
      g[i] = vector(gradients.get(names[i]));
    }
    bn = new NativeBatchNorm(hidden, dtype, p, g);
  }

  private static INDArray row(INDArray v) {
    return v.reshape(1, v.length());
  }

  private static INDArray image(INDArray m) {
    return m.reshape('c', m.size(0), 1, 1, m.size(1));
  }

  private static INDArray vector(INDArray v) {
    return v.reshape(v.length());
  }

  /** Activation and gradient buffers, and the ops bound to them, for one number of pair rows. */
  private final class Buffers {
    final long rows;
    final INDArray pre; // x W1 + b1, the batch norm's input
    final INDArray act; // batch norm, then LeakyReLU in place
    final INDArray logits;
    final INDArray dAct; // overwritten by the batch-norm backward
    final INDArray dPre;
    final INDArray dPairs;
    final NativeBatchNorm.Pass norm;
    final Op slope;
    final ColumnReduction biasGradient;
    final INDArray dActImage;
    final INDArray dPreImage;

    Buffers(long rows, long in) {
      this.rows = rows;
      pre = Nd4j.create(dtype, rows, hidden);
      act = Nd4j.create(dtype, rows, hidden);
      logits = Nd4j.create(dtype, rows, outputs);
      dAct = Nd4j.create(dtype, rows, hidden);
      dPre = Nd4j.create(dtype, rows, hidden);
      dPairs = Nd4j.create(dtype, rows, in);
      // seen as NHWC [P, 1, 1, hidden]: libnd4j's batchnorm takes its oneDNN path only at rank 4
      norm = bn.pass(image(pre), image(act));
      biasGradient = ColumnReduction.sum(dPre, gB1.reshape(hidden));
      dActImage = image(dAct);
      dPreImage = image(dPre);
      // the LeakyReLU output has the sign of its input, so the slope is read from act (into dPre,
      // free until the batch-norm backward writes it)
      slope = new LeakyReLUDerivative(act, dPre, SLOPE);
    }
  }

  private INDArray pairs;

  /** Outputs {@code [P, out]} of rows {@code [P, in]} (batch statistics; a fresh copy). */
  public INDArray forward(INDArray pairRows) {
    long rows = pairRows.size(0);
    if (buffers == null || buffers.rows != rows || buffers.dPairs.size(1) != pairRows.size(1)) {
      buffers = new Buffers(rows, pairRows.size(1));
    }
    Buffers b = buffers;
    pairs = pairRows;
    OpTimes.time("head_gemm_in", () -> Nd4j.gemm(pairRows, w1, b.pre, false, false, 1.0, 0.0));
    OpTimes.time("head_bias", () -> b.pre.addiRowVector(b1));
    b.norm.forward(true);
    // LeakyReLU as max(y, 0.01 y), two passes (dAct is scratch until the backward): libnd4j's
    // leakyrelu op took several times as long
    OpTimes.time(
        "head_lrelu",
        () -> {
          b.act.mul(SLOPE, b.dAct);
          Transforms.max(b.act, b.dAct, false);
        });
    OpTimes.time("head_gemm_out", () -> Nd4j.gemm(b.act, w2, b.logits, false, false, 1.0, 0.0));
    b.logits.addiRowVector(b2);
    return b.logits.dup();
  }

  /**
   * Back-propagates {@code dL/doutputs [P, out]} of the last {@link #forward}: writes every
   * gradient view (running-statistic entries get Deeplearning4j's deltas) and returns {@code
   * dL/drows}.
   */
  public INDArray backward(INDArray logitGradient) {
    Buffers b = buffers;
    if (b == null || logitGradient.size(0) != b.rows) {
      throw new IllegalStateException("backward without a matching forward");
    }
    INDArray dz = logitGradient.reshape(b.rows, outputs).castTo(dtype);
    // output layer: gW2 = act^T dz, gb2 = sum dz, dAct = dz W2^T
    OpTimes.time(
        "head_gemm_out_bp",
        () -> {
          Nd4j.gemm(b.act, dz, gW2, true, false, 1.0, 0.0);
          gB2.assign(dz.sum(0).reshape(1, outputs));
          Nd4j.gemm(dz, w2, b.dAct, false, true, 1.0, 0.0);
        });
    OpTimes.time(
        "head_lrelu_bp",
        () -> {
          Nd4j.getExecutioner().exec(b.slope);
          b.dAct.muli(b.dPre);
        });
    b.norm.backward(b.dActImage, b.dPreImage);
    // first dense layer: gW1 = x^T dPre, gb1 = sum dPre, dPairs = dPre W1^T
    OpTimes.time("head_gemm_in_gw", () -> Nd4j.gemm(pairs, b.dPre, gW1, true, false, 1.0, 0.0));
    OpTimes.time("head_bias_bp", b.biasGradient::exec);
    OpTimes.time("head_gemm_in_gx", () -> Nd4j.gemm(b.dPre, w1, b.dPairs, false, true, 1.0, 0.0));
    return b.dPairs;
  }
}

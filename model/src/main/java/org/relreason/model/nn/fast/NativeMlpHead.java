package org.relreason.model.nn.fast;

import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.reduce.same.Sum;
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
 * <p>Batch normalisation in training mode uses the batch's mean and biased variance; its backward
 * is {@code dx = gamma invstd (dy - mean(dy) - xhat mean(dy xhat))} (Ioffe and Szegedy 2015, sec.
 * 3). Not thread-safe.
 */
public final class NativeMlpHead {
  private static final double EPS = FastConv4Backbone.EPS;
  private static final double DECAY = FastConv4Backbone.DECAY;
  private static final double LN10 = Math.log(10);
  private static final double SLOPE = 0.01;

  private final DataType dtype;
  private final int hidden;
  private final int outputs;
  private final INDArray w1;
  private final INDArray b1;
  private final INDArray gamma;
  private final INDArray beta;
  private final INDArray mean;
  private final INDArray logStd;
  private final INDArray w2;
  private final INDArray b2;
  private final INDArray gW1;
  private final INDArray gB1;
  private final INDArray gGamma;
  private final INDArray gBeta;
  private final INDArray gMean;
  private final INDArray gLogStd;
  private final INDArray gW2;
  private final INDArray gB2;
  private final INDArray batchMean;
  private final INDArray batchVar;
  private final INDArray invStd;
  private Buffers buffers;

  /**
   * @param params views of the dense, batch-norm and output layers' parameters, by Deeplearning4j
   *     key: {@code 0_W, 0_b, 1_gamma, 1_beta, 1_mean, 1_log10stdev, 3_W, 3_b}
   * @param gradients views of the matching gradients (same keys)
   */
  public NativeMlpHead(Map<String, INDArray> params, Map<String, INDArray> gradients) {
    w1 = params.get("0_W");
    b1 = params.get("0_b");
    gamma = row(params.get("1_gamma"));
    beta = row(params.get("1_beta"));
    mean = row(params.get("1_mean"));
    logStd = row(params.get("1_log10stdev"));
    w2 = params.get("3_W");
    b2 = params.get("3_b");
    gW1 = gradients.get("0_W");
    gB1 = row(gradients.get("0_b"));
    gGamma = row(gradients.get("1_gamma"));
    gBeta = row(gradients.get("1_beta"));
    gMean = row(gradients.get("1_mean"));
    gLogStd = row(gradients.get("1_log10stdev"));
    gW2 = gradients.get("3_W");
    gB2 = row(gradients.get("3_b"));
    dtype = w1.dataType();
    hidden = (int) w1.size(1);
    outputs = (int) w2.size(1);
    batchMean = Nd4j.create(dtype, 1, hidden);
    batchVar = Nd4j.create(dtype, 1, hidden);
    invStd = Nd4j.create(dtype, 1, hidden);
  }

  private static INDArray row(INDArray v) {
    return v.reshape(1, v.length());
  }

  /** Activation and gradient buffers for one number of pair rows. */
  private final class Buffers {
    final long rows;
    final INDArray xhat; // normalised pre-activations
    final INDArray act; // LeakyReLU output
    final INDArray logits;
    final INDArray dAct; // also scratch
    final INDArray dPre;
    final INDArray dPairs;
    final Op meanOp;
    final Op sumDy;
    final Op sumDyXhat;

    Buffers(long rows, long in) {
      this.rows = rows;
      xhat = Nd4j.create(dtype, rows, hidden);
      act = Nd4j.create(dtype, rows, hidden);
      logits = Nd4j.create(dtype, rows, outputs);
      dAct = Nd4j.create(dtype, rows, hidden);
      dPre = Nd4j.create(dtype, rows, hidden);
      dPairs = Nd4j.create(dtype, rows, in);
      meanOp = new Mean(act, batchMean.reshape(hidden), 0);
      sumDy = new Sum(dAct, gBeta.reshape(hidden), 0);
      sumDyXhat = new Sum(dPre, gGamma.reshape(hidden), 0);
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
    // act holds the pre-activations first: x W1 + b1
    Nd4j.gemm(pairRows, w1, b.act, false, false, 1.0, 0.0);
    b.act.addiRowVector(b1);
    Nd4j.getExecutioner().exec(b.meanOp);
    b.xhat.assign(b.act).subiRowVector(batchMean);
    // biased variance from the centred values: mean of squares along the rows
    b.xhat.mul(b.xhat, b.dAct);
    batchVar.assign(b.dAct.sum(0).reshape(1, hidden)).divi(rows);
    Transforms.pow(invStd.assign(batchVar).addi(EPS), -0.5, false);
    b.xhat.muliRowVector(invStd);
    b.act.assign(b.xhat).muliRowVector(gamma).addiRowVector(beta);
    Transforms.leakyRelu(b.act, SLOPE, false);
    Nd4j.gemm(b.act, w2, b.logits, false, false, 1.0, 0.0);
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
    Nd4j.gemm(b.act, dz, gW2, true, false, 1.0, 0.0);
    gB2.assign(dz.sum(0).reshape(1, outputs));
    Nd4j.gemm(dz, w2, b.dAct, false, true, 1.0, 0.0);
    // LeakyReLU: the output has the sign of its input, so the slope mask reads from act
    INDArray slope = b.act.gt(0).castTo(dtype).muli(1 - SLOPE).addi(SLOPE);
    b.dAct.muli(slope);
    // batch norm: gBeta = sum dy, gGamma = sum dy xhat
    Nd4j.getExecutioner().exec(b.sumDy);
    b.dAct.mul(b.xhat, b.dPre);
    Nd4j.getExecutioner().exec(b.sumDyXhat);
    double invRows = 1.0 / b.rows;
    b.dPre.assign(b.xhat).muliRowVector(gGamma.mul(-invRows));
    b.dPre.addi(b.dAct).addiRowVector(gBeta.mul(-invRows));
    b.dPre.muliRowVector(gamma.mul(invStd));
    // first dense layer: gW1 = x^T dPre, gb1 = sum dPre, dPairs = dPre W1^T
    Nd4j.gemm(pairs, b.dPre, gW1, true, false, 1.0, 0.0);
    gB1.assign(b.dPre.sum(0).reshape(1, hidden));
    Nd4j.gemm(b.dPre, w1, b.dPairs, false, true, 1.0, 0.0);
    statisticDeltas();
    return b.dPairs;
  }

  /** Deeplearning4j's running-statistic "gradients": deltas applied raw (p ← p − g). */
  private void statisticDeltas() {
    // mean: g = (1 - d)(mean - batchMean)
    gMean.assign(mean).subi(batchMean).muli(1 - DECAY);
    // log10 std: p - g = 0.5 log10(d 10^(2p) + (1 - d) n/(n-1) batchVar), PyTorch's running_var
    INDArray runVar = Transforms.exp(logStd.mul(2 * LN10), false).muli(DECAY);
    runVar.addi(batchVar.mul((1 - DECAY) * NativeBatchNorm.unbiased(buffers.rows)));
    Transforms.log(runVar, false).muli(0.5 / LN10);
    gLogStd.assign(logStd).subi(runVar);
  }
}

package org.relreason.model.nn.fast;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch normalisation over the last axis: the channels of NHWC activations, seen as {@code [rows =
 * N H W, C]} matrices, or the columns of a {@code [rows, C]} matrix (the MLP heads), with
 * Deeplearning4j's parameters and running-statistic deltas (decay 0.9, eps 1e-5, running log10 std;
 * see {@link org.relreason.model.nn.Backbone#statisticsMask()}). Same arithmetic as the batch norm
 * inside {@link FastConv4Backbone}: mean and two-pass biased variance as row reductions, libnd4j's
 * {@code batchnorm} op for the affine map, and the backward {@code dx = a dy + (b x + k)} with
 * per-channel {@code a, b, k} (Ioffe and Szegedy 2015, sec. 3).
 *
 * <p>The parameter and gradient views are given at construction; a {@link Pass} binds the ops to
 * one pair of activation buffers.
 */
final class NativeBatchNorm {
  private static final double DECAY = FastConv4Backbone.DECAY;
  private static final double EPS = FastConv4Backbone.EPS;
  private static final double LN10 = Math.log(10);

  private final int c;
  private final DataType dtype;
  private final INDArray gamma;
  private final INDArray beta;
  private final INDArray mean;
  private final INDArray logStd;
  private final INDArray gGamma;
  private final INDArray gBeta;
  private final INDArray gMean;
  private final INDArray gLogStd;
  private final INDArray runVar;

  /**
   * @param params the four parameter vectors of length {@code c}: gamma, beta, running mean,
   *     running log10 std (views into the flat parameters)
   * @param grads their gradient views, in the same order
   */
  NativeBatchNorm(int c, DataType dtype, INDArray[] params, INDArray[] grads) {
    this.c = c;
    this.dtype = dtype;
    gamma = params[0];
    beta = params[1];
    mean = params[2];
    logStd = params[3];
    gGamma = grads[0];
    gBeta = grads[1];
    gMean = grads[2];
    gLogStd = grads[3];
    runVar = Nd4j.create(dtype, c);
  }

  /** Binds the forward ops {@code y = bn(x)} for NHWC buffers of one batch size. */
  Pass pass(INDArray x, INDArray y) {
    return new Pass(x, y);
  }

  /** The ops of one batch norm on one pair of buffers. */
  final class Pass {
    final INDArray x;
    final INDArray y;
    private final INDArray batchMean = Nd4j.create(dtype, c);
    private final INDArray batchVar = Nd4j.create(dtype, c);
    private final ColumnReduction meanOp;
    private final Op centre;
    private final ColumnReduction squares;
    private final double invRows;
    private final NativeOp train;
    private final NativeOp infer;
    private Runnable backward;
    private INDArray boundDy;
    private INDArray boundDx;

    private Pass(INDArray x, INDArray y) {
      this.x = x;
      this.y = y;
      INDArray x2 = x.reshape('c', x.length() / c, c);
      INDArray centred = y.reshape('c', x2.rows(), c); // y is scratch until batchnorm writes it
      invRows = 1.0 / x2.rows();
      meanOp = ColumnReduction.mean(x2, batchMean);
      centre = new BroadcastSubOp(x2, batchMean.reshape(1, c), centred, 1);
      squares = ColumnReduction.sumOfSquares(centred, batchVar);
      train = affine(batchMean, batchVar);
      infer = affine(mean, runVar);
    }

    private NativeOp affine(INDArray m, INDArray v) {
      return NativeOp.bind(
          "batchnorm",
          new INDArray[] {x, m, v, gamma, beta},
          new INDArray[] {y},
          new long[] {1, 1, x.rank() - 1},
          EPS);
    }

    /** {@code y = bn(x)}: batch statistics when training, running statistics otherwise. */
    void forward(boolean training) {
      if (training) {
        OpTimes.time(
            "bn_stats",
            () -> {
              meanOp.exec();
              Nd4j.getExecutioner().exec(centre);
              squares.exec();
              batchVar.muli(invRows);
            });
        train.exec();
      } else {
        OpTimes.time(
            "bn_runvar", () -> Transforms.exp(runVar.assign(logStd).muli(2 * LN10), false));
        infer.exec();
      }
    }

    /**
     * After a training {@link #forward}: {@code dx = dL/dx} from {@code dy = dL/dy} (overwritten),
     * gamma and beta gradients and the running-statistic deltas into the gradient views.
     */
    void backward(INDArray dy, INDArray dx) {
      if (backward == null || dy != boundDy || dx != boundDx) {
        backward = bindBackward(dy, dx);
        boundDy = dy;
        boundDx = dx;
      }
      backward.run();
      statisticDeltas(mean, logStd, batchMean, batchVar, Math.round(1 / invRows), gMean, gLogStd);
    }

    private Runnable bindBackward(INDArray dy, INDArray dx) {
      return matrixBackward(c, dtype, x, batchMean, batchVar, gamma, gGamma, gBeta, dy, dx);
    }
  }

  /** Bessel's correction {@code n / (n - 1)} of a variance over n rows (1 for a single row). */
  static double unbiased(long rows) {
    return rows > 1 ? rows / (rows - 1.0) : 1.0;
  }

  /**
   * The running-statistic deltas of {@link org.relreason.model.nn.Backbone#statisticsMask()} from
   * one training step's batch statistics, into {@code gMean, gLogStd}. Shared with {@link
   * FastConv4Backbone}.
   */
  static void statisticDeltas(
      INDArray mean,
      INDArray logStd,
      INDArray batchMean,
      INDArray batchVar,
      long rows,
      INDArray gMean,
      INDArray gLogStd) {
    OpTimes.time(
        "bn_stat_delta",
        () -> {
          // per-channel loops on Java arrays (SmallVectors): a dozen libnd4j ops on c values
          // cost more in dispatch than the arithmetic
          double[] m = SmallVectors.read(mean);
          double[] p = SmallVectors.read(logStd);
          double[] bm = SmallVectors.read(batchMean);
          double[] bv = SmallVectors.read(batchVar);
          double unbiased = unbiased(rows);
          double[] gm = new double[m.length];
          double[] gp = new double[m.length];
          for (int j = 0; j < m.length; j++) {
            // mean: g = (1 - d)(mean - batchMean)
            gm[j] = (1 - DECAY) * (m[j] - bm[j]);
            // log10 std: p - g = 0.5 log10(d 10^(2p) + (1 - d) n/(n-1) batchVar): the running
            // variance averages the unbiased batch variance, as PyTorch's running_var does
            double runVar = DECAY * Math.pow(10, 2 * p[j]) + (1 - DECAY) * unbiased * bv[j];
            gp[j] = p[j] - 0.5 * Math.log10(runVar);
          }
          SmallVectors.write(gm, gMean);
          SmallVectors.write(gp, gLogStd);
        });
  }

  /**
   * Binds the batch-norm backward for {@code [rows = N H W, C]} matrix views of NHWC buffers, with
   * per-channel row reductions and broadcasts (libnd4j's {@code batchnorm_bp} took about twice as
   * long, and was the largest op of the step): with {@code xhat = (x - mean) invstd}, {@code dbeta
   * = sum dy}, {@code dgamma = sum dy xhat}, and {@code dx = gamma invstd (dy - dbeta / n - xhat
   * dgamma / n)}, written as {@code dx = a dy + (b (x - mean) + k)} with per-channel {@code a, b,
   * k} (Ioffe and Szegedy 2015, sec. 3). Static so that {@link FastConv4Backbone}, which keeps its
   * own buffers and blocks, runs the very same ops. {@code dy} is overwritten; gamma and beta
   * gradients go to {@code gGamma, gBeta}.
   *
   * @param x the training forward's input, whose batch statistics are {@code batchMean, batchVar}
   */
  static Runnable matrixBackward(
      int c,
      DataType dtype,
      INDArray x,
      INDArray batchMean,
      INDArray batchVar,
      INDArray gamma,
      INDArray gGamma,
      INDArray gBeta,
      INDArray dy,
      INDArray dx) {
    long rows = x.length() / c;
    INDArray x2 = x.reshape('c', rows, c);
    INDArray dy2 = dy.reshape('c', rows, c);
    INDArray dx2 = dx.reshape('c', rows, c);
    INDArray sumDy = Nd4j.create(dtype, c);
    INDArray sumDyX = Nd4j.create(dtype, c);
    ColumnReduction reduceDy = ColumnReduction.sum(dy2, sumDy);
    ColumnReduction reduceDyX = ColumnReduction.sum(dx2, sumDyX);
    INDArray a = Nd4j.create(dtype, 1, c);
    INDArray b = Nd4j.create(dtype, 1, c);
    INDArray k = Nd4j.create(dtype, 1, c);
    INDArray m = batchMean.reshape(1, c);
    INDArray v = batchVar.reshape(1, c);
    INDArray g = gamma.reshape(1, c);
    INDArray gG = gGamma.reshape(1, c);
    INDArray gB = gBeta.reshape(1, c);
    // b (x - mean) + k in one pass: libnd4j's batchnorm with the batch mean, variance 1 - eps,
    // gamma b, beta k. Centring first matters in float: b x + (k - b mean) cancels catastrophically
    // when |mean| is many standard deviations (a ReLU-fed conv's output), and gave gradients 4e-4
    // (of a 0.1 scale) off the double result where Deeplearning4j's float path is 2e-7 off.
    NativeOp affineBk =
        NativeOp.bind(
            "batchnorm",
            new INDArray[] {
              x, batchMean, Nd4j.create(dtype, c).assign(1 - EPS), b.reshape(c), k.reshape(c)
            },
            new INDArray[] {dx},
            new long[] {1, 1, x.rank() - 1},
            EPS);
    Op centre = new BroadcastSubOp(x2, m, dx2, 1);
    Op scaleDy = new BroadcastMulOp(dy2, a, dy2, 1);
    double invN = 1.0 / rows;
    INDArray sumDyRow = sumDy.reshape(1, c);
    INDArray sumDyXRow = sumDyX.reshape(1, c);
    return () -> {
      // Per-channel sums as reductions along the rows (faster here than a GEMM with a ones vector,
      // which libnd4j hands to oneDNN's matmul); dx is scratch for dy * (x - mean).
      OpTimes.time(
          "bn_bp_reduce",
          () -> {
            reduceDy.exec();
            Nd4j.getExecutioner().exec(centre);
            dx2.muli(dy2);
            reduceDyX.exec();
          });
      OpTimes.time(
          "bn_bp_coeffs",
          () -> {
            double[] var = SmallVectors.read(v);
            double[] gam = SmallVectors.read(g);
            double[] sDy = SmallVectors.read(sumDyRow);
            double[] sDyX = SmallVectors.read(sumDyXRow);
            double[] dGamma = new double[c];
            double[] ca = new double[c];
            double[] cb = new double[c];
            double[] ck = new double[c];
            for (int j = 0; j < c; j++) {
              double invStd = 1 / Math.sqrt(var[j] + EPS);
              // dgamma = sum dy (x - mean) invstd; dbeta = sum dy
              dGamma[j] = sDyX[j] * invStd;
              ca[j] = gam[j] * invStd;
              cb[j] = -ca[j] * invStd * dGamma[j] * invN;
              ck[j] = -ca[j] * sDy[j] * invN;
            }
            SmallVectors.write(dGamma, gG);
            SmallVectors.write(sDy, gB);
            SmallVectors.write(ca, a);
            SmallVectors.write(cb, b);
            SmallVectors.write(ck, k);
          });
      OpTimes.time(
          "bn_bp_apply",
          () -> {
            affineBk.execUntimed();
            Nd4j.getExecutioner().exec(scaleDy);
            dx2.addi(dy2);
          });
    };
  }
}

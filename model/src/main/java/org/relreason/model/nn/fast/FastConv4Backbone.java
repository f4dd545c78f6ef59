package org.relreason.model.nn.fast;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.summarystats.Variance;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.LocalFeatureBackbone;
import org.relreason.model.nn.ParamBlock;

/**
 * Conv-4 (conv3x3 no-bias - BN - ReLU - 2x2 avg-pool, three times, then conv - BN - ReLU - global
 * average pool) computed directly with libnd4j's native ops and their backprop ops ({@code conv2d},
 * {@code conv2d_bp}, {@code batchnorm}, {@code batchnorm_bp}, {@code avgpool2d}, {@code
 * avgpool2d_bp}, {@code reduce_mean_bp}), on activation and gradient buffers allocated once per
 * batch size and reused every step. The first conv's weight gradient is one GEMM on an explicit
 * im2col matrix instead of {@code conv2d_bp} (which was the largest op of the step and also
 * computed the unneeded image gradient), the second block's (8 to 16 channels) backward is {@link
 * TapConvBackward}'s flipped-kernel conv and tap GEMMs, and the ReLU backward is a sign mask times
 * the gradient.
 *
 * <p>Why not the Deeplearning4j layers: a Conv-4 step there spends about half its wall time outside
 * native code (per-layer Java bookkeeping, workspaces, permute copies), see issue 6.
 *
 * <p>The flat parameter vector has exactly the layout of the Deeplearning4j Conv-4 of {@code
 * Backbones.conv4} (so checkpoints move between the two unchanged): per block, the conv weights
 * {@code [out, in, 3, 3]} in C order, then batch-norm gamma, beta, running mean and running log10
 * std, each of length {@code out}. The gradient vector has the same layout, and its running-
 * statistic entries are the deltas of {@link Backbone#statisticsMask()} (same formulas as DL4J).
 *
 * <p>Internally the activations can be NCHW or NHWC and the conv weights any of libnd4j's three
 * formats ({@link Layout}); when the weight format is not DL4J's {@code [out, in, kH, kW]}, a
 * permuted copy of the weights is made at each forward and the weight gradient is permuted back
 * after the backward (a few thousand values, negligible).
 *
 * <p>As a {@link LocalFeatureBackbone} its local map b (1..4) is block b's ReLU output before its
 * pooling ({@code [N, H / 2^(b−1), W / 2^(b−1), Cb]}, Cb = 8·2^(b−1) × width). Map 1, at the
 * input's resolution, is the map the relational-reasoning paper's Deep InfoMax code takes from
 * Conv-4 ({@code forward_conv4} in its {@code methods/deepinfomax.py}); map 3 is 8×8 on 32×32
 * inputs, DIM's mid-level map.
 *
 * <p>Buffers are kept for the last two batch sizes seen (the training batch and an evaluation
 * batch). {@link #forward} returns a fresh copy of the features (callers such as the feature
 * extractor free it). Not thread-safe.
 */
public final class FastConv4Backbone implements LocalFeatureBackbone {
  /** Batch-norm running-average decay of DL4J (PyTorch's momentum 0.1). */
  static final double DECAY = 0.9;

  static final double EPS = 1e-5;

  /**
   * Whether a new float NHWC backbone trains batch norm, ReLU and pooling as {@link FusedBnRelu}'s
   * Java loops instead of libnd4j's ops: {@code -Drelreason.fusedBn=true|false}, by default only
   * when ND4J runs one thread. Measured on a quiet 2-core machine (Conv-4, K=4, M=64, {@code
   * BackboneBench}): with one thread the loops make the backbone step 6-8% faster (1,750-1,769 vs
   * 1,641-1,649 views/s); with two, libnd4j's OpenMP ops win (2,115-2,506 vs 1,948-2,146). The
   * loops read host memory, so they are never used on a GPU backend (asking for them there is an
   * error).
   */
  static boolean fusedByDefault() {
    return fused(
        System.getProperty("relreason.fusedBn"),
        Nd4j.getEnvironment().isCPU(),
        Nd4j.getEnvironment().maxThreads());
  }

  /** {@link #fusedByDefault()} from the property's value (or null), the backend and threads. */
  static boolean fused(String property, boolean cpu, int threads) {
    if (property == null) {
      return cpu && threads == 1;
    }
    if (!property.equalsIgnoreCase("true") && !property.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException(
          "-Drelreason.fusedBn=" + property + ": expected true or false");
    }
    boolean asked = Boolean.parseBoolean(property);
    if (asked && !cpu) {
      throw new IllegalStateException(
          "-Drelreason.fusedBn=true: the fused batch-norm loops read host memory and run only on"
              + " ND4J's CPU backend, not on this one ("
              + Nd4j.getBackend().getClass().getSimpleName()
              + ")");
    }
    return asked;
  }

  private static final double LN10 = Math.log(10);

  /** Activation layout and conv weight format used inside the native ops. */
  public enum Layout {
    /** NCHW activations, weights {@code [out, in, kH, kW]} (DL4J's own; no weight copy). */
    NCHW_OIHW(false, 1),
    /** NCHW activations, weights {@code [kH, kW, in, out]}. */
    NCHW_HWIO(false, 0),
    /** NHWC activations, weights {@code [kH, kW, in, out]} (TensorFlow's). */
    NHWC_HWIO(true, 0),
    /** NHWC activations, weights {@code [out, kH, kW, in]} (oneDNN's preferred for NHWC). */
    NHWC_OHWI(true, 2),
    /** NHWC activations, weights {@code [out, in, kH, kW]}. */
    NHWC_OIHW(true, 1);

    /** The layout chosen by measurement (see {@link BackboneBench}). */
    public static final Layout DEFAULT = NHWC_OIHW;

    final boolean nhwc;
    final int weightFormat;

    Layout(boolean nhwc, int weightFormat) {
      this.nhwc = nhwc;
      this.weightFormat = weightFormat;
    }
  }

  private static final int[] BASE_CHANNELS = {8, 16, 32, 64};

  /**
   * The backward's three {@link GradientSlots}, of the largest block's size, shared by the four
   * blocks (at K=32, M=64 24.6k floats a view where a set per block held twice that).
   */
  private static final String ACT = "dAct";

  private static final String MASKED = "dMasked";

  private static final String CONV = "dConv";

  private final DataType dtype;
  private final Layout layout;
  private final boolean matrixBatchNorm;
  private final boolean fusedJava;
  private final int inChannels;
  private final int height;
  private final int width;
  private final int[] channels;
  private final long numParams;
  private final boolean[] statisticsMask;
  private final INDArray gradients;
  private INDArray params;
  private final Block[] blocks = new Block[4];

  /** Plans by batch size, most recently used last; at most two. */
  private final PlanCache<Plan> plans = new PlanCache<>();

  private Plan plan;
  private boolean backwardReady;

  /**
   * A Conv-4 with zero parameters (copy values in through {@link #params()} or {@link #bind}).
   *
   * @param widthMultiplier channel multiplier of 8-16-32-64 (rounded, at least 1)
   */
  public FastConv4Backbone(
      int inChannels,
      int height,
      int width,
      double widthMultiplier,
      DataType dtype,
      Layout layout) {
    this(inChannels, height, width, widthMultiplier, dtype, layout, layout.nhwc);
  }

  /**
   * As above, choosing the batch-norm backward: row reductions on the {@code [N H W, C]} matrix
   * ({@code matrixBatchNorm}, NHWC only; the default there) or libnd4j's {@code batchnorm_bp}.
   */
  public FastConv4Backbone(
      int inChannels,
      int height,
      int width,
      double widthMultiplier,
      DataType dtype,
      Layout layout,
      boolean matrixBatchNorm) {
    if (matrixBatchNorm && !layout.nhwc) {
      throw new IllegalArgumentException(
          "the row-reduction batch-norm backward needs an NHWC layout");
    }
    this.matrixBatchNorm = matrixBatchNorm;
    this.fusedJava = fusedByDefault() && dtype == DataType.FLOAT && layout.nhwc && matrixBatchNorm;
    this.dtype = dtype;
    this.layout = layout;
    this.inChannels = inChannels;
    this.height = height;
    this.width = width;
    this.channels = new int[4];
    long n = 0;
    int in = inChannels;
    for (int b = 0; b < 4; b++) {
      channels[b] = Math.max(1, (int) Math.round(BASE_CHANNELS[b] * widthMultiplier));
      n += (long) channels[b] * in * 9 + 4L * channels[b];
      in = channels[b];
    }
    numParams = n;
    statisticsMask = new boolean[Math.toIntExact(n)];
    long off = 0;
    in = inChannels;
    for (int b = 0; b < 4; b++) {
      off += (long) channels[b] * in * 9 + 2L * channels[b];
      for (int i = 0; i < 2 * channels[b]; i++) {
        statisticsMask[(int) off + i] = true;
      }
      off += 2L * channels[b];
      in = channels[b];
    }
    params = Nd4j.create(dtype, 1, n);
    gradients = Nd4j.create(dtype, 1, n);
    bindViews();
  }

  @Override
  public int featureSize() {
    return channels[3];
  }

  @Override
  public long numParams() {
    return numParams;
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
    plans.clear(); // ops are bound to the old parameter views
    plan = null;
  }

  @Override
  public boolean[] statisticsMask() {
    return statisticsMask.clone();
  }

  @Override
  public INDArray forward(INDArray images, boolean training) {
    long n = images.size(0);
    if (images.rank() != 4
        || images.size(1) != inChannels
        || images.size(2) != height
        || images.size(3) != width) {
      throw new IllegalArgumentException(
          "expected [N, " + inChannels + ", " + height + ", " + width + "] images");
    }
    plan = plans.get(n, Plan::new);
    Plan p = plan;
    timed("input_copy", () -> p.input.assign(layout.nhwc ? images.permute(0, 2, 3, 1) : images));
    for (Block bl : blocks) {
      bl.prepareWeights();
    }
    for (int b = 0; b < 4; b++) {
      Block bl = blocks[b];
      PlanBlock pb = p.blocks[b];
      pb.conv.exec();
      if (training && pb.fused != null) {
        INDArray output = b < 3 ? pb.pooled : p.features;
        timed(
            "fused_bn_relu_pool",
            () ->
                pb.fused.forward(
                    pb.convOut, bl.gamma.toFloatVector(), bl.beta.toFloatVector(), output));
        pb.batchMean.assign(Nd4j.createFromArray(pb.fused.mean()));
        pb.batchVar.assign(Nd4j.createFromArray(pb.fused.variance()));
        continue;
      }
      if (training) {
        if (pb.meanOp != null) {
          timed("bn_mean", () -> Nd4j.getExecutioner().exec(pb.meanOp));
        }
        timed("bn_var", pb.twoPassVar);
        pb.bnTrain.exec();
      } else {
        timed("bn_runvar", () -> Transforms.exp(pb.runVar.assign(bl.logStd).muli(2 * LN10), false));
        pb.bnInfer.exec();
      }
      timed("relu", () -> Nd4j.getExecutioner().exec(pb.relu));
      if (pb.pool != null) {
        pb.pool.exec();
      }
    }
    if (!(training && p.blocks[3].fused != null)) {
      timed("gap", () -> Nd4j.getExecutioner().exec(p.gap));
    }
    backwardReady = training;
    return p.features.dup();
  }

  @Override
  public void backward(INDArray featureGradient) {
    backwardAt(featureGradient, 0, null);
  }

  @Override
  public int localBlocks() {
    return 4;
  }

  @Override
  public int localChannels(int block) {
    return channels[blockIndex(block)];
  }

  @Override
  public INDArray localFeatures(int block) {
    int b = blockIndex(block);
    if (!backwardReady) {
      throw new IllegalStateException("localFeatures() needs a training forward() first");
    }
    INDArray act = plan.blocks[b].act;
    if (plan.blocks[b].fused != null) {
      plan.blocks[b].fused.copyActivationTo(act);
    }
    return layout.nhwc ? act.dup('c') : act.permute(0, 2, 3, 1).dup('c');
  }

  private int blockIndex(int block) {
    if (block < 1 || block > 4) {
      throw new IllegalArgumentException("Conv-4 has local maps 1..4, not " + block);
    }
    return block - 1;
  }

  @Override
  public void backward(INDArray featureGradient, int block, INDArray localGradient) {
    backwardAt(featureGradient, blockIndex(block), localGradient);
  }

  /**
   * The backward with {@code localGradient} (or null) on block {@code localIndex}'s ReLU output.
   */
  private void backwardAt(INDArray featureGradient, int localIndex, INDArray localGradient) {
    if (!backwardReady) {
      throw new IllegalStateException("backward() needs a training forward() first");
    }
    Plan p = plan;
    if (localGradient != null) {
      INDArray act = p.blocks[localIndex].act;
      long[] expected = {
        p.n, act.size(layout.nhwc ? 1 : 2), act.size(layout.nhwc ? 2 : 3), channels[localIndex]
      };
      if (!java.util.Arrays.equals(localGradient.shape(), expected)) {
        throw new IllegalArgumentException(
            "local gradient of shape "
                + java.util.Arrays.toString(localGradient.shape())
                + ", expected "
                + java.util.Arrays.toString(expected));
      }
    }
    p.ensureBackward();
    timed("grad_copy", () -> p.dFeatures.assign(featureGradient));
    if (p.gapBp != null) {
      p.gapBp.exec();
    }
    for (int b = 3; b >= 0; b--) {
      PlanBlock pb = p.blocks[b];
      if (pb.fused != null) {
        Block bl = blocks[b];
        INDArray local = b == localIndex ? localGradient : null;
        timed(
            "fused_bn_relu_pool_bp",
            () -> {
              double[] gG = new double[bl.out];
              double[] gB = new double[bl.out];
              pb.fused.backward(
                  pb.dOutFused,
                  local == null ? null : local.dup('c'),
                  bl.gamma.toFloatVector(),
                  gG,
                  gB,
                  pb.dConv);
              bl.gGamma.assign(Nd4j.createFromArray(gG));
              bl.gBeta.assign(Nd4j.createFromArray(gB));
            });
      } else {
        if (pb.poolBp != null) {
          pb.poolBp.exec();
        }
        if (b == localIndex && localGradient != null) {
          // the local map is this block's ReLU output: its gradient joins the pooling's
          pb.dAct.addi(layout.nhwc ? localGradient : localGradient.permute(0, 3, 1, 2));
        }
        timed("relu_bp", pb.reluBp);
        if (pb.matrixBnBp != null) {
          pb.matrixBnBp.run();
        } else {
          pb.bnBp.exec();
        }
      }
      if (pb.weightGradientOnly != null) {
        pb.weightGradientOnly.run();
      } else {
        pb.convBp.exec();
      }
      blocks[b].finishGradients(pb);
    }
    backwardReady = false;
  }

  private void bindViews() {
    long off = 0;
    int in = inChannels;
    for (int b = 0; b < 4; b++) {
      blocks[b] = new Block(in, channels[b], off);
      off += (long) channels[b] * in * 9 + 4L * channels[b];
      in = channels[b];
    }
  }

  private static void timed(String name, Runnable r) {
    OpTimes.time(name, r);
  }

  private static INDArray slice(INDArray flat, long from, long len) {
    if (flat.rank() == 1) {
      return flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + len));
    }
    return flat.get(
        org.nd4j.linalg.indexing.NDArrayIndex.point(0),
        org.nd4j.linalg.indexing.NDArrayIndex.interval(from, from + len));
  }

  /** Parameter and gradient views of one conv-BN-ReLU block. */
  private final class Block {
    final int in;
    final int out;
    final INDArray w; // [out, in, 3, 3], DL4J's layout, a view of params
    final INDArray gamma;
    final INDArray beta;
    final INDArray mean;
    final INDArray logStd;
    final INDArray gW;
    final INDArray gGamma;
    final INDArray gBeta;
    final INDArray gMean;
    final INDArray gLogStd;
    final INDArray wWork; // the weights in the op's format (== w for OIHW)
    final INDArray gWWork;

    Block(int in, int out, long off) {
      this.in = in;
      this.out = out;
      long wLen = (long) out * in * 9;
      w = slice(params, off, wLen).reshape('c', out, in, 3, 3);
      gW = slice(gradients, off, wLen).reshape('c', out, in, 3, 3);
      off += wLen;
      gamma = slice(params, off, out).reshape(out);
      gGamma = slice(gradients, off, out).reshape(out);
      off += out;
      beta = slice(params, off, out).reshape(out);
      gBeta = slice(gradients, off, out).reshape(out);
      off += out;
      mean = slice(params, off, out).reshape(out);
      gMean = slice(gradients, off, out).reshape(out);
      off += out;
      logStd = slice(params, off, out).reshape(out);
      gLogStd = slice(gradients, off, out).reshape(out);
      if (layout.weightFormat == 1) {
        wWork = w;
        gWWork = gW;
      } else {
        long[] shape = toWork(w).shape();
        wWork = Nd4j.create(dtype, shape);
        gWWork = Nd4j.create(dtype, shape);
      }
    }

    /** DL4J's {@code [out, in, kH, kW]} seen in the op's weight format. */
    private INDArray toWork(INDArray oihw) {
      return switch (layout.weightFormat) {
        case 0 -> oihw.permute(2, 3, 1, 0); // [kH, kW, in, out]
        case 2 -> oihw.permute(0, 2, 3, 1); // [out, kH, kW, in]
        default -> oihw;
      };
    }

    void prepareWeights() {
      if (wWork != w) {
        timed("weight_permute", () -> wWork.assign(toWork(w)));
      }
    }

    /**
     * Weight gradient back to DL4J's layout, and the running-statistic deltas of {@link
     * Backbone#statisticsMask()} from this step's batch statistics.
     */
    void finishGradients(PlanBlock pb) {
      if (gWWork != gW && pb.weightGradientOnly == null) {
        timed("weight_permute", () -> toWork(gW).assign(gWWork));
      }
      NativeBatchNorm.statisticDeltas(
          mean, logStd, pb.batchMean, pb.batchVar, pb.rows, gMean, gLogStd);
    }
  }

  /** Activation buffers and bound ops of one block for one batch size. */
  private final class PlanBlock {
    final INDArray x; // block input
    final INDArray convOut;
    final INDArray act; // BN output, then ReLU in place
    final INDArray pooled; // null for the last block
    final INDArray batchMean;
    final INDArray batchVar;
    final INDArray runVar;
    final NativeOp conv;
    final Op meanOp; // null where twoPassVar takes the mean too
    final Op varOp;
    final Runnable twoPassVar;
    final NativeOp bnTrain;
    final NativeOp bnInfer;
    final Op relu;
    final NativeOp pool;
    NativeOp poolBp;
    Runnable reluBp;
    NativeOp bnBp;
    Runnable matrixBnBp;
    NativeOp convBp;
    // the conv's backward when not conv2d_bp: the first block's weight gradient alone (no input
    // gradient, see ImageConvWeightGradient), or TapConvBackward for a few-channel block
    Runnable weightGradientOnly;
    final FusedBnRelu fused; // float NHWC training: BN + ReLU + pooling in Java, see FusedBnRelu
    INDArray dOutFused; // dL/d(block output) the fused backward reads
    INDArray dConv;
    INDArray dX;
    INDArray dAct; // dL/d(ReLU output), written by the pooling's backward
    final long rows; // values per channel the batch statistics are taken over: N H W

    PlanBlock(Block bl, INDArray x, boolean last) {
      this.x = x;
      long n = x.size(0);
      long h = layout.nhwc ? x.size(1) : x.size(2);
      long w = layout.nhwc ? x.size(2) : x.size(3);
      rows = n * h * w;
      fused = fusedJava ? new FusedBnRelu((int) n, (int) h, (int) w, bl.out, !last, EPS) : null;
      convOut = Nd4j.create(dtype, shape(n, bl.out, h, w));
      act = Nd4j.create(dtype, shape(n, bl.out, h, w));
      pooled = last ? null : Nd4j.create(dtype, shape(n, bl.out, h / 2, w / 2));
      batchMean = Nd4j.create(dtype, bl.out);
      batchVar = Nd4j.create(dtype, bl.out);
      runVar = Nd4j.create(dtype, bl.out);
      conv =
          NativeOp.bind(
              "conv2d", new INDArray[] {x, bl.wWork}, new INDArray[] {convOut}, convArgs());
      int[] reduce = layout.nhwc ? new int[] {0, 1, 2} : new int[] {0, 2, 3};
      if (layout.nhwc) {
        // [rows = N H W, C] views: mean along the rows, then the biased variance in two passes
        // (centred into the act buffer, which batchnorm overwrites next), as libnd4j's Variance
        // over (0, 1, 2) was several times slower.
        INDArray x2 = convOut.reshape('c', convOut.length() / bl.out, bl.out);
        INDArray centred = act.reshape('c', x2.rows(), bl.out);
        ColumnReduction meanRows = ColumnReduction.mean(x2, batchMean);
        Op centre = new BroadcastSubOp(x2, batchMean.reshape(1, bl.out), centred, 1);
        ColumnReduction sq = ColumnReduction.sumOfSquares(centred, batchVar);
        double invRows = 1.0 / x2.rows();
        meanOp = null;
        varOp = null;
        twoPassVar =
            () -> {
              meanRows.exec();
              Nd4j.getExecutioner().exec(centre);
              sq.exec();
              batchVar.muli(invRows);
            };
      } else {
        meanOp = new Mean(convOut, batchMean, reduce);
        varOp = new Variance(convOut, batchVar, false, reduce);
        twoPassVar = () -> Nd4j.getExecutioner().exec(varOp);
      }
      bnTrain = bn(convOut, batchMean, batchVar, bl);
      bnInfer = bn(convOut, bl.mean, runVar, bl);
      relu = new RectifiedLinear(act, act, 0.0);
      pool =
          last
              ? null
              : NativeOp.bind(
                  "avgpool2d", new INDArray[] {act}, new INDArray[] {pooled}, poolArgs());
    }

    private NativeOp bn(INDArray in, INDArray m, INDArray v, Block bl) {
      return NativeOp.bind(
          "batchnorm",
          new INDArray[] {in, m, v, bl.gamma, bl.beta},
          new INDArray[] {act},
          new long[] {1, 1, layout.nhwc ? 3 : 1},
          EPS);
    }

    /**
     * Binds the backprop ops: {@code dOut} is dL/d(block output); the block's gradient buffers are
     * views of the plan's {@link GradientSlots}: dL/d(ReLU output) in slot {@link #ACT}, the masked
     * gradient and then dL/d(block input) in {@link #MASKED}, dL/d(conv output) in {@link #CONV}.
     * {@code dOut} (the next block's input gradient, slot 1) is read by the pooling's backward
     * before slot 1 is written.
     */
    void bindBackward(Block bl, INDArray dOut, boolean first, GradientSlots slots) {
      if (fused != null) {
        dOutFused = dOut;
        dConv = slots.view(CONV, convOut.shape());
        bindConvBackward(bl, first, slots);
        return;
      }
      if (pooled != null) {
        dAct = slots.view(ACT, act.shape());
        poolBp =
            NativeOp.bind(
                "avgpool2d_bp", new INDArray[] {act, dOut}, new INDArray[] {dAct}, poolArgs());
      } else {
        dAct = dOut;
      }
      INDArray dBn = slots.view(MASKED, act.shape());
      // dBn = dAct where act > 0, else 0, as sign(act) * dAct (act >= 0 after the ReLU, so its
      // sign is the 0/1 mask): two vectorised passes took a quarter of libnd4j's relu_bp.
      Op mask = new Sign(act, dBn);
      INDArray dActFinal = dAct;
      reluBp =
          () -> {
            Nd4j.getExecutioner().exec(mask);
            dBn.muli(dActFinal);
          };
      dConv = slots.view(CONV, convOut.shape());
      if (matrixBatchNorm) {
        matrixBnBp = matrixBatchNormBackward(bl, dBn, dConv);
      } else {
        bnBp =
            NativeOp.bind(
                "batchnorm_bp",
                new INDArray[] {convOut, batchMean, batchVar, bl.gamma, bl.beta, dBn},
                new INDArray[] {
                  dConv, Nd4j.create(dtype, bl.out), Nd4j.create(dtype, bl.out), bl.gGamma, bl.gBeta
                },
                new long[] {1, 1, layout.nhwc ? 3 : 1},
                EPS);
      }
      bindConvBackward(bl, first, slots);
    }

    private void bindConvBackward(Block bl, boolean first, GradientSlots slots) {
      if (first && layout.nhwc) {
        weightGradientOnly = new ImageConvWeightGradient(x, dConv, bl.gW, dtype);
        return;
      }
      dX = slots.view(MASKED, x.shape());
      if (layout.nhwc && layout.weightFormat == 1 && TapConvBackward.applies(bl.in, bl.out, 3, 1)) {
        // block 2 (8 -> 16 channels): the tap split took 8 ms a step at K=4, M=64 against 16 ms
        // for conv2d_bp (BackboneBench op profile); its zero-bordered copies are this plan's own
        Runnable tap =
            new TapConvBackward(
                x,
                bl.w,
                dConv,
                dX,
                bl.gW,
                Nd4j.create(dtype, TapConvBackward.paddedShape(x)),
                Nd4j.create(dtype, TapConvBackward.gridShape(dConv)),
                dtype);
        weightGradientOnly = tap;
        return;
      }
      convBp =
          NativeOp.bind(
              "conv2d_bp",
              new INDArray[] {x, bl.wWork, dConv},
              new INDArray[] {dX, bl.gWWork},
              convArgs());
    }

    /** See {@link NativeBatchNorm#matrixBackward}; {@code dy} is overwritten. */
    private Runnable matrixBatchNormBackward(Block bl, INDArray dy, INDArray dx) {
      return NativeBatchNorm.matrixBackward(
          bl.out, dtype, convOut, batchMean, batchVar, bl.gamma, bl.gGamma, bl.gBeta, dy, dx);
    }
  }

  /** All buffers and bound ops for one batch size. */
  private final class Plan {
    final long n;
    final INDArray input;
    final PlanBlock[] blocks = new PlanBlock[4];
    final INDArray features;
    final Op gap;
    INDArray dFeatures;
    NativeOp gapBp;

    Plan(long n) {
      this.n = n;
      input = Nd4j.create(dtype, shape(n, inChannels, height, width));
      INDArray x = input;
      for (int b = 0; b < 4; b++) {
        blocks[b] = new PlanBlock(FastConv4Backbone.this.blocks[b], x, b == 3);
        x = b < 3 ? blocks[b].pooled : null;
      }
      features = Nd4j.create(dtype, n, channels[3]);
      gap = new Mean(blocks[3].act, features, layout.nhwc ? new int[] {1, 2} : new int[] {2, 3});
    }

    void ensureBackward() {
      if (dFeatures != null) {
        return;
      }
      dFeatures = Nd4j.create(dtype, n, channels[3]);
      long largest = 0;
      for (PlanBlock pb : blocks) {
        largest = Math.max(largest, Math.max(pb.convOut.length(), pb.x.length()));
      }
      GradientSlots slots = new GradientSlots(dtype, largest);
      if (blocks[3].fused != null) {
        INDArray dOut = dFeatures;
        for (int b = 3; b >= 0; b--) {
          blocks[b].bindBackward(FastConv4Backbone.this.blocks[b], dOut, b == 0, slots);
          dOut = blocks[b].dX;
        }
        return;
      }
      INDArray dAct3 = slots.view(ACT, blocks[3].act.shape());
      gapBp =
          NativeOp.bind(
              "reduce_mean_bp",
              new INDArray[] {blocks[3].act, dFeatures},
              new INDArray[] {dAct3},
              layout.nhwc ? new long[] {1, 2} : new long[] {2, 3});
      INDArray dOut = dAct3;
      for (int b = 3; b >= 0; b--) {
        blocks[b].bindBackward(FastConv4Backbone.this.blocks[b], dOut, b == 0, slots);
        dOut = blocks[b].dX;
      }
    }
  }

  private long[] shape(long n, long c, long h, long w) {
    return layout.nhwc ? new long[] {n, h, w, c} : new long[] {n, c, h, w};
  }

  private long[] convArgs() {
    // kH, kW, sH, sW, pH, pW, dH, dW, same mode, data format (1 = NHWC), weight format
    return new long[] {3, 3, 1, 1, 1, 1, 1, 1, 0, layout.nhwc ? 1 : 0, layout.weightFormat};
  }

  private long[] poolArgs() {
    // kH, kW, sH, sW, pH, pW, dH, dW, same mode, divisor mode (0 = exclude padding), NHWC
    return new long[] {2, 2, 2, 2, 0, 0, 1, 1, 0, 0, layout.nhwc ? 1 : 0};
  }

  /** Human-readable channel plan, for logs. */
  List<Integer> channels() {
    List<Integer> out = new ArrayList<>();
    for (int c : channels) {
      out.add(c);
    }
    return out;
  }
}

package org.relreason.model.nn.fast;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.Op;
import org.nd4j.linalg.api.ops.impl.reduce.floating.Mean;
import org.nd4j.linalg.api.ops.impl.scalar.RectifiedLinear;
import org.nd4j.linalg.api.ops.impl.transforms.same.Sign;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.ParamBlock;

/**
 * The ResNets of {@code CifarResNet} and {@code ResNet34} on libnd4j's native ops, as {@link
 * FastConv4Backbone} does for Conv-4: NHWC activations on buffers allocated once per batch size,
 * {@code conv2d}/{@code conv2d_bp} with DL4J's {@code [out, in, kH, kW]} weights, {@link
 * NativeBatchNorm}, ReLU backward as a sign mask, {@code maxpool2d}/{@code maxpool2d_bp} (the ops
 * DL4J's own max-pooling layer calls) for ResNet-34's pool, the stem's weight gradient by {@link
 * ImageConvWeightGradient} (no image gradient).
 *
 * <p>One {@link Layout} describes either network: a stem conv (CIFAR: 3x3/1; ImageNet: 7x7/2) - BN
 * - ReLU, optionally a 3x3/2 pad-1 max-pool, then stages of basic blocks with the given widths,
 * block counts and first-block strides, conv1x1 - BN shortcuts where a block changes the shape, and
 * global average pooling.
 *
 * <p>The flat parameter vector is the Deeplearning4j graph's: the position of every layer's
 * parameters is read from the reference graph's parameter table by layer name ({@code stem_conv},
 * {@code stage2_block1_conv1}, {@code stage2_block1_shortcut_bn}, ...), so checkpoints move between
 * the two unchanged. Not thread-safe.
 */
public final class FastResNet implements Backbone {
  /** ResNet-34's max-pool after the stem: kernel 3, stride 2, padding 1 (He et al., Table 1). */
  private static final int POOL_KERNEL = 3;

  private static final int POOL_STRIDE = 2;
  private static final int POOL_PADDING = 1;

  /**
   * Where the stem and the stages of a ResNet differ between the CIFAR and the ImageNet layouts.
   *
   * @param stemKernel the stem conv's kernel (3 or 7); its padding is {@code stemKernel / 2}
   * @param stemStride the stem conv's stride
   * @param stemPool whether a 3x3, stride 2, padding 1 max-pool follows the stem's ReLU
   * @param channels stage widths, already scaled by the width multiplier; the stem has the first
   * @param blocks basic blocks per stage
   * @param strides the stride of each stage's first block
   */
  public record Layout(
      int stemKernel,
      int stemStride,
      boolean stemPool,
      int[] channels,
      int[] blocks,
      int[] strides) {
    public Layout {
      if (blocks.length != channels.length || strides.length != channels.length) {
        throw new IllegalArgumentException(
            channels.length
                + " stage widths, "
                + blocks.length
                + " block counts and "
                + strides.length
                + " strides");
      }
      channels = channels.clone();
      blocks = blocks.clone();
      strides = strides.clone();
    }
  }

  private final DataType dtype;
  private final int inChannels;
  private final int height;
  private final int width;
  private final boolean stemPool;
  private final int featureSize;
  private final long numParams;
  private final boolean[] statisticsMask;
  private final Map<String, long[]> offsets; // param key -> {offset, length}
  private final List<Spec> specs = new ArrayList<>();
  private final INDArray gradients;
  private INDArray params;
  private Map<String, ConvBn> units;
  private final PlanCache<Plan> plans = new PlanCache<>();
  private Plan plan;
  private boolean backwardReady;

  /**
   * A ResNet with the layout of a reference graph's flat parameter vector.
   *
   * @param layout stem and stages
   * @param paramTable the reference graph's parameter table ({@code <layer>_<param>} to views of
   *     {@code flat})
   * @param flat the reference graph's flat parameter vector (its values are copied)
   * @param statisticsMask the reference graph's running-statistic positions
   */
  public FastResNet(
      int inChannels,
      int height,
      int width,
      Layout layout,
      Map<String, INDArray> paramTable,
      INDArray flat,
      boolean[] statisticsMask,
      DataType dtype) {
    this.dtype = dtype;
    this.inChannels = inChannels;
    this.height = height;
    this.width = width;
    this.stemPool = layout.stemPool();
    int[] channels = layout.channels();
    this.featureSize = channels[channels.length - 1];
    this.numParams = flat.length();
    this.statisticsMask = statisticsMask.clone();
    this.offsets = new HashMap<>();
    for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
      offsets.put(
          e.getKey(), new long[] {e.getValue().offset() - flat.offset(), e.getValue().length()});
    }
    specs.add(
        new Spec(
            "stem_conv",
            "stem_bn",
            inChannels,
            channels[0],
            layout.stemKernel(),
            layout.stemStride()));
    int in = channels[0];
    for (int s = 0; s < channels.length; s++) {
      for (int b = 1; b <= layout.blocks()[s]; b++) {
        String name = "stage" + (s + 1) + "_block" + b;
        int stride = b == 1 ? layout.strides()[s] : 1;
        int out = channels[s];
        specs.add(new Spec(name + "_conv1", name + "_bn1", in, out, 3, stride));
        specs.add(new Spec(name + "_conv2", name + "_bn2", out, out, 3, 1));
        if (stride != 1 || in != out) {
          specs.add(new Spec(name + "_shortcut_conv", name + "_shortcut_bn", in, out, 1, stride));
        }
        in = out;
      }
    }
    long covered = 0;
    for (Spec sp : specs) {
      covered += sp.paramCount();
    }
    if (covered != numParams) {
      throw new IllegalArgumentException(
          "the reference graph has " + numParams + " parameters, the ResNet layout " + covered);
    }
    params = Nd4j.create(dtype, 1, numParams).assign(flat.reshape(1, numParams));
    gradients = Nd4j.create(dtype, 1, numParams);
    bindUnits();
  }

  @Override
  public int featureSize() {
    return featureSize;
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
    bindUnits();
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
    plan.forward(images, training);
    backwardReady = training;
    return plan.features.dup();
  }

  @Override
  public void backward(INDArray featureGradient) {
    if (!backwardReady) {
      throw new IllegalStateException("backward() needs a training forward() first");
    }
    plan.backward(featureGradient);
    backwardReady = false;
  }

  private void bindUnits() {
    units = new LinkedHashMap<>();
    for (Spec sp : specs) {
      units.put(sp.conv, new ConvBn(sp));
    }
  }

  private INDArray view(INDArray flat, String key) {
    long[] ol = offsets.get(key);
    if (ol == null) {
      throw new IllegalStateException("the reference graph has no parameter " + key);
    }
    return flat.reshape(flat.length())
        .get(org.nd4j.linalg.indexing.NDArrayIndex.interval(ol[0], ol[0] + ol[1]));
  }

  /** One conv - BN pair: layer names, channels, kernel and stride. */
  private record Spec(String conv, String bn, int in, int out, int kernel, int stride) {
    long paramCount() {
      return (long) out * in * kernel * kernel + 4L * out;
    }

    int padding() {
      return kernel / 2;
    }

    long[] convArgs() {
      int pad = padding();
      // kH, kW, sH, sW, pH, pW, dH, dW, same mode, data format (1 = NHWC), weights [out,in,kH,kW]
      return new long[] {kernel, kernel, stride, stride, pad, pad, 1, 1, 0, 1, 1};
    }
  }

  /** Parameter and gradient views of one conv - BN pair. */
  private final class ConvBn {
    final Spec spec;
    final INDArray w;
    final INDArray gW;
    final NativeBatchNorm bn;

    ConvBn(Spec spec) {
      this.spec = spec;
      int k = spec.kernel;
      w = view(params, spec.conv + "_W").reshape('c', spec.out, spec.in, k, k);
      gW = view(gradients, spec.conv + "_W").reshape('c', spec.out, spec.in, k, k);
      String[] names = {"gamma", "beta", "mean", "log10stdev"};
      INDArray[] p = new INDArray[4];
      INDArray[] g = new INDArray[4];
      for (int i = 0; i < 4; i++) {
        p[i] = view(params, spec.bn + "_" + names[i]);
        g[i] = view(gradients, spec.bn + "_" + names[i]);
      }
      bn = new NativeBatchNorm(spec.out, dtype, p, g);
    }
  }

  /** Buffers and bound ops of one conv - BN pair for one batch size. */
  private final class ConvBnPass {
    final ConvBn unit;
    final INDArray x;
    final INDArray convOut;
    final INDArray y;
    final NativeOp conv;
    final NativeBatchNorm.Pass bn;

    ConvBnPass(ConvBn unit, INDArray x) {
      this.unit = unit;
      this.x = x;
      long n = x.size(0);
      long h = outSize(x.size(1), unit.spec.kernel, unit.spec.stride, unit.spec.padding());
      long w = outSize(x.size(2), unit.spec.kernel, unit.spec.stride, unit.spec.padding());
      convOut = Nd4j.create(dtype, n, h, w, unit.spec.out);
      y = Nd4j.create(dtype, n, h, w, unit.spec.out);
      conv =
          NativeOp.bind(
              "conv2d", new INDArray[] {x, unit.w}, new INDArray[] {convOut}, unit.spec.convArgs());
      bn = unit.bn.pass(convOut, y);
    }

    void forward(boolean training) {
      conv.exec();
      bn.forward(training);
    }
  }

  /**
   * Gradient buffers of one batch size: the named {@link GradientSlots} of the blocks' largest
   * activation, viewed by every layer in its shape (the block input gradient ping-pongs between two
   * of them), and the tap conv's zero-bordered buffers, whose borders must stay zero, per shape
   * ({@link #fixed}).
   */
  private final class Scratch {
    private final GradientSlots slots;
    private final Map<String, INDArray> byShape = new HashMap<>();

    Scratch(long slotLength) {
      slots = new GradientSlots(dtype, slotLength);
    }

    INDArray get(INDArray like, String slot) {
      return slots.view(slot, like.shape());
    }

    /** A buffer of its own per shape and slot, whose contents persist between uses. */
    INDArray fixed(long[] shape, String slot) {
      String key = java.util.Arrays.toString(shape) + slot;
      return byShape.computeIfAbsent(key, k -> Nd4j.create(dtype, shape));
    }
  }

  /**
   * The backward of one conv, from {@code dConv} into {@code dX} and the weight gradient: {@link
   * TapConvBackward} where it {@link TapConvBackward#applies applies} (ResNet-8/32/56's 16-channel
   * stage), libnd4j's {@code conv2d_bp} otherwise.
   */
  private Runnable convBackward(ConvBnPass p, INDArray dConv, INDArray dX, Scratch scratch) {
    Spec s = p.unit.spec;
    if (TapConvBackward.applies(s.in, s.out, s.kernel, s.stride)) {
      return new TapConvBackward(
          p.x,
          p.unit.w,
          dConv,
          dX,
          p.unit.gW,
          scratch.fixed(TapConvBackward.paddedShape(p.x), "tapPadded"),
          scratch.fixed(TapConvBackward.gridShape(dConv), "tapGrid"),
          dtype);
    }
    NativeOp op =
        NativeOp.bind(
            "conv2d_bp",
            new INDArray[] {p.x, p.unit.w, dConv},
            new INDArray[] {dX, p.unit.gW},
            s.convArgs());
    return op::exec;
  }

  /** A ReLU applied in place, and its backward {@code dx = sign(y) dy} into a buffer. */
  private static Runnable reluBackward(INDArray y, INDArray dy, INDArray dx) {
    Op mask = new Sign(y, dx);
    return () ->
        OpTimes.time(
            "relu_bp",
            () -> {
              Nd4j.getExecutioner().exec(mask);
              dx.muli(dy);
            });
  }

  /** A basic block on one batch size: forward and backward, with its gradient buffers bound. */
  private final class BlockPass {
    final ConvBnPass c1;
    final ConvBnPass c2;
    final ConvBnPass shortcut; // null: identity
    final INDArray x;
    final INDArray out; // c2.y + shortcut, then ReLU in place
    final Op relu1;
    final Op reluOut;
    Runnable backward;
    INDArray dIn;

    BlockPass(String name, INDArray x) {
      this.x = x;
      c1 = new ConvBnPass(units.get(name + "_conv1"), x);
      c2 = new ConvBnPass(units.get(name + "_conv2"), c1.y);
      ConvBn sc = units.get(name + "_shortcut_conv");
      shortcut = sc == null ? null : new ConvBnPass(sc, x);
      out = c2.y;
      relu1 = new RectifiedLinear(c1.y, c1.y, 0.0);
      reluOut = new RectifiedLinear(out, out, 0.0);
    }

    void forward(boolean training) {
      c1.forward(training);
      OpTimes.time("relu", () -> Nd4j.getExecutioner().exec(relu1));
      c2.forward(training);
      INDArray skip = x;
      if (shortcut != null) {
        shortcut.forward(training);
        skip = shortcut.y;
      }
      INDArray s = skip;
      OpTimes.time(
          "add_relu",
          () -> {
            out.addi(s);
            Nd4j.getExecutioner().exec(reluOut);
          });
    }

    /** Binds the backward from {@code dOut} into {@code dIn} (slot {@code inSlot}). */
    void bindBackward(INDArray dOut, Scratch scratch, String inSlot) {
      INDArray dSum = scratch.get(out, "dSum");
      INDArray dy2 = scratch.get(out, "dy2");
      INDArray dc2 = scratch.get(out, "dc2");
      INDArray dA1 = scratch.get(c1.y, "dA1");
      INDArray dBn1 = scratch.get(c1.y, "dBn1");
      INDArray dc1 = scratch.get(c1.y, "dc1");
      dIn = scratch.get(x, inSlot);
      Runnable reluOutBp = reluBackward(out, dOut, dSum);
      Runnable conv2Bp = convBackward(c2, dc2, dA1, scratch);
      Runnable relu1Bp = reluBackward(c1.y, dA1, dBn1);
      Runnable conv1Bp = convBackward(c1, dc1, dIn, scratch);
      Runnable shortcutBp;
      if (shortcut != null) {
        INDArray dcs = scratch.get(out, "dcs");
        INDArray dInS = scratch.get(x, "dInS");
        Runnable convSBp = convBackward(shortcut, dcs, dInS, scratch);
        shortcutBp =
            () -> {
              shortcut.bn.backward(dSum, dcs);
              convSBp.run();
              OpTimes.time("add_bp", () -> dIn.addi(dInS));
            };
      } else {
        shortcutBp = () -> OpTimes.time("add_bp", () -> dIn.addi(dSum));
      }
      backward =
          () -> {
            reluOutBp.run();
            OpTimes.time("copy_bp", () -> dy2.assign(dSum)); // the BN backward overwrites dy
            c2.bn.backward(dy2, dc2);
            conv2Bp.run();
            relu1Bp.run();
            c1.bn.backward(dBn1, dc1);
            conv1Bp.run();
            shortcutBp.run();
          };
    }
  }

  /** All buffers and bound ops for one batch size. */
  private final class Plan {
    final INDArray input;
    final ConvBnPass stem;
    final Op stemRelu;
    final INDArray pooled; // null without a stem pool
    final NativeOp pool;
    final List<BlockPass> blocks = new ArrayList<>();
    final INDArray features;
    final Op gap;
    Runnable backward;
    INDArray dFeatures;

    Plan(long n) {
      input = Nd4j.create(dtype, n, height, width, inChannels);
      stem = new ConvBnPass(units.get("stem_conv"), input);
      stemRelu = new RectifiedLinear(stem.y, stem.y, 0.0);
      INDArray x = stem.y;
      if (stemPool) {
        pooled =
            Nd4j.create(
                dtype,
                n,
                outSize(x.size(1), POOL_KERNEL, POOL_STRIDE, POOL_PADDING),
                outSize(x.size(2), POOL_KERNEL, POOL_STRIDE, POOL_PADDING),
                x.size(3));
        pool = NativeOp.bind("maxpool2d", new INDArray[] {x}, new INDArray[] {pooled}, poolArgs());
        x = pooled;
      } else {
        pooled = null;
        pool = null;
      }
      for (Spec sp : specs) {
        if (sp.conv.endsWith("_conv1")) {
          BlockPass b =
              new BlockPass(sp.conv.substring(0, sp.conv.length() - "_conv1".length()), x);
          blocks.add(b);
          x = b.out;
        }
      }
      features = Nd4j.create(dtype, n, featureSize);
      gap = new Mean(x, features, 1, 2);
    }

    void forward(INDArray images, boolean training) {
      OpTimes.time("input_copy", () -> input.assign(images.permute(0, 2, 3, 1)));
      stem.forward(training);
      OpTimes.time("relu", () -> Nd4j.getExecutioner().exec(stemRelu));
      if (pool != null) {
        pool.exec();
      }
      for (BlockPass b : blocks) {
        b.forward(training);
      }
      OpTimes.time("gap", () -> Nd4j.getExecutioner().exec(gap));
    }

    void backward(INDArray featureGradient) {
      if (backward == null) {
        bindBackward();
      }
      OpTimes.time("grad_copy", () -> dFeatures.assign(featureGradient));
      backward.run();
    }

    /**
     * A gradient buffer of the stem's output shape: a view of a block slot where it fits (the CIFAR
     * ResNets, whose stem output has the first stage's shape), else a buffer of its own
     * (ResNet-34's stem output is 4x its first stage's, and the slots stay block-sized).
     */
    private INDArray stemGradient(Scratch scratch, String slot) {
      return stem.y.length() <= scratch.slots.length()
          ? scratch.get(stem.y, slot)
          : Nd4j.create(dtype, stem.y.shape());
    }

    private void bindBackward() {
      long largest = 0;
      for (BlockPass b : blocks) {
        largest =
            Math.max(largest, Math.max(b.x.length(), Math.max(b.out.length(), b.c1.y.length())));
      }
      Scratch scratch = new Scratch(largest);
      dFeatures = Nd4j.create(dtype, features.shape());
      INDArray last = blocks.get(blocks.size() - 1).out;
      INDArray dLast = Nd4j.create(dtype, last.shape());
      NativeOp gapBp =
          NativeOp.bind(
              "reduce_mean_bp",
              new INDArray[] {last, dFeatures},
              new INDArray[] {dLast},
              new long[] {1, 2});
      INDArray dOut = dLast;
      for (int i = blocks.size() - 1; i >= 0; i--) {
        // ping-pong: a block's dIn is the next-lower block's dOut, never its own
        blocks.get(i).bindBackward(dOut, scratch, "dIn" + (i % 2));
        dOut = blocks.get(i).dIn;
      }
      Runnable poolBp = () -> {};
      if (pool != null) {
        INDArray dPooled = dOut;
        // the blocks are done with every slot but the last block's input gradient (dPooled)
        dOut = stemGradient(scratch, "dy2");
        NativeOp bp =
            NativeOp.bind(
                "maxpool2d_bp",
                new INDArray[] {stem.y, dPooled},
                new INDArray[] {dOut},
                poolArgs());
        poolBp = bp::exec;
      }
      INDArray dStem = stemGradient(scratch, "dSum");
      INDArray dStemConv = stemGradient(scratch, "dc2");
      Runnable stemReluBp = reluBackward(stem.y, dOut, dStem);
      Spec sp = stem.unit.spec;
      Runnable stemWeights =
          new ImageConvWeightGradient(
              input, dStemConv, stem.unit.gW, sp.stride, sp.padding(), dtype);
      Runnable poolBackward = poolBp;
      backward =
          () -> {
            gapBp.exec();
            for (int i = blocks.size() - 1; i >= 0; i--) {
              blocks.get(i).backward.run();
            }
            poolBackward.run();
            stemReluBp.run();
            stem.bn.backward(dStem, dStemConv);
            stemWeights.run();
          };
    }
  }

  /** Output size of a conv or pool in Truncate mode, as PyTorch's: floor((in + 2p - k) / s) + 1. */
  private static long outSize(long in, int kernel, int stride, int padding) {
    return (in + 2L * padding - kernel) / stride + 1;
  }

  private static long[] poolArgs() {
    // kH, kW, sH, sW, pH, pW, dH, dW, same mode, extra (unused by max), data format (1 = NHWC)
    return new long[] {
      POOL_KERNEL, POOL_KERNEL, POOL_STRIDE, POOL_STRIDE, POOL_PADDING, POOL_PADDING, 1, 1, 0, 0, 1
    };
  }
}

package org.relreason.model.nn.fast;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The backward of a 3x3, stride-1, pad-1 NHWC conv with few channels, in place of libnd4j's {@code
 * conv2d_bp}: the input gradient as a forward {@code conv2d} of {@code dConv} with the kernel
 * flipped and its channels swapped, {@code dX = conv(dConv, W')} with {@code W'[i, o, ky, kx] =
 * W[o, i, 2 - ky, 2 - kx]}, and the weight gradient as nine GEMMs, one per kernel tap, {@code gW[o,
 * i, ky, kx] = sum over (n, y, x) of xpad[n, y + ky, x + kx, i] dConv[n, y, x, o]}.
 *
 * <p>Each tap's GEMM reads a contiguous view: {@code xpad} is kept as a zero-bordered copy {@code
 * [N (H + 2) (W + 2), C]} and {@code dConv} as a copy on the same grid, zero outside its top-left
 * {@code H x W}, so that tap {@code (ky, kx)} is the rows of the padded copy shifted by {@code ky
 * (W + 2) + kx} (the zero rows cancel the positions that do not exist). The two copies are shared
 * by every layer of one shape ({@link FastResNet}'s scratch), as the layers' backwards run one
 * after another; only their interiors are ever written.
 *
 * <p>Why: with the oneDNN natives, {@code conv2d_bp} of a 16-channel 32x32 conv over 256 images
 * took 60-66 ms here against 6.5 ms for its forward; this split takes about 43 ms (input gradient
 * 6.3 ms, copies 8 ms, GEMMs 28 ms). With 32 channels at 16x16 and 64 at 8x8 {@code conv2d_bp} is
 * faster (18 and 14 ms against 22 and 21), so {@link #applies} takes only the 16-channel case.
 * Written from ND4J ops; runs on any data type and backend.
 */
final class TapConvBackward implements Runnable {
  private final NativeOp flip;
  private final NativeOp inputGradient;
  private final INDArray xInner;
  private final INDArray x;
  private final INDArray dInner;
  private final INDArray dConv;
  private final INDArray[] taps = new INDArray[9];
  private final INDArray dGrid;
  private final INDArray[] tapOut = new INDArray[9];
  private final INDArray gWFromTaps;
  private final INDArray gW;

  /** Whether a conv of this shape takes this backward rather than {@code conv2d_bp}. */
  static boolean applies(int in, int out, int kernel, int stride) {
    return kernel == 3 && stride == 1 && in <= 16 && out <= 16;
  }

  /** Shape of the zero-bordered input copy for input {@code x [N, H, W, C]}. */
  static long[] paddedShape(INDArray x) {
    long rows = x.size(0) * (x.size(1) + 2) * (x.size(2) + 2);
    return new long[] {rows + 2 * (x.size(2) + 2) + 2, x.size(3)};
  }

  /** Shape of the gradient copy on the padded grid for {@code dConv [N, H, W, out]}. */
  static long[] gridShape(INDArray dConv) {
    return new long[] {dConv.size(0) * (dConv.size(1) + 2) * (dConv.size(2) + 2), dConv.size(3)};
  }

  /**
   * @param x the conv input {@code [N, H, W, C]}, read at each run
   * @param w the weights {@code [out, C, 3, 3]}
   * @param dConv dL/d(conv output) {@code [N, H, W, out]}, read at each run
   * @param dX dL/dx, written at each run
   * @param gW the weight gradient {@code [out, C, 3, 3]}, written at each run
   * @param padded a zeroed buffer of {@link #paddedShape}, shared; its border is never written
   * @param grid a zeroed buffer of {@link #gridShape}, shared; written only inside each image's
   *     top-left {@code H x W}
   */
  TapConvBackward(
      INDArray x,
      INDArray w,
      INDArray dConv,
      INDArray dX,
      INDArray gW,
      INDArray padded,
      INDArray grid,
      DataType dtype) {
    long n = x.size(0);
    long h = x.size(1);
    long wd = x.size(2);
    long c = x.size(3);
    long out = dConv.size(3);
    if (dConv.size(1) != h || dConv.size(2) != wd || w.size(2) != 3 || w.size(3) != 3) {
      throw new IllegalArgumentException(
          "a 3x3/1 pad-1 conv of " + h + "x" + wd + " does not give " + dConv.shapeInfoToString());
    }
    this.x = x;
    this.dConv = dConv;
    this.gW = gW;
    INDArray flipped = Nd4j.create(dtype, c, out, 3, 3);
    flip =
        NativeOp.bind(
            "reverse",
            new INDArray[] {w.permute(1, 0, 2, 3)},
            new INDArray[] {flipped},
            new long[] {2, 3});
    inputGradient =
        NativeOp.bind(
            "conv2d",
            new INDArray[] {dConv, flipped},
            new INDArray[] {dX},
            new long[] {3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1});
    long rows = n * (h + 2) * (wd + 2);
    xInner =
        padded
            .get(NDArrayIndex.interval(0, rows), NDArrayIndex.all())
            .reshape('c', n, h + 2, wd + 2, c)
            .get(
                NDArrayIndex.all(),
                NDArrayIndex.interval(1, h + 1),
                NDArrayIndex.interval(1, wd + 1),
                NDArrayIndex.all());
    dGrid = grid;
    dInner =
        grid.reshape('c', n, h + 2, wd + 2, out)
            .get(
                NDArrayIndex.all(),
                NDArrayIndex.interval(0, h),
                NDArrayIndex.interval(0, wd),
                NDArrayIndex.all());
    INDArray byTap = Nd4j.create(dtype, 9, c, out);
    for (int t = 0; t < 9; t++) {
      long off = (t / 3) * (wd + 2) + t % 3;
      taps[t] = padded.get(NDArrayIndex.interval(off, off + rows), NDArrayIndex.all());
      tapOut[t] = byTap.get(NDArrayIndex.point(t), NDArrayIndex.all(), NDArrayIndex.all());
    }
    // [ky, kx, i, o] seen as [o, i, ky, kx]
    gWFromTaps = byTap.reshape('c', 3, 3, c, out).permute(3, 2, 0, 1);
  }

  @Override
  public void run() {
    OpTimes.time(
        "conv_bp_dx",
        () -> {
          flip.execUntimed();
          inputGradient.execUntimed();
        });
    OpTimes.time(
        "conv_bp_dw_copy",
        () -> {
          xInner.assign(x);
          dInner.assign(dConv);
        });
    OpTimes.time(
        "conv_bp_dw_gemm",
        () -> {
          for (int t = 0; t < 9; t++) {
            Nd4j.gemm(taps[t], dGrid, tapOut[t], true, false, 1.0, 0.0);
          }
          gW.assign(gWFromTaps);
        });
  }
}

package org.relreason.model.nn.fast;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The weight gradient of a k x k conv with stride s and zero padding p applied to the images (the
 * first layer of a backbone), without the gradient of the images, which nobody needs: one GEMM on
 * an explicit im2col matrix, {@code gW[o, (i, ky, kx)] = sum over (n, y, x) of xpad[i, n, s y + ky,
 * s x + kx] dConv[(n, y, x), o]}. Conv-4 and the CIFAR ResNets use it for their 3x3/1 pad-1 first
 * conv, ResNet-34 for its 7x7/2 pad-3 stem.
 *
 * <p>The im2col matrix {@code [(i, ky, kx), (n, y, x)]} is filled by k^2 copies of shifted (and,
 * for s > 1, strided) windows of a zero-bordered copy of the input {@code [i, n, H + 2p, W + 2p]}
 * (runs of W contiguous values when s = 1, since images have only a few channels), then {@code gW^T
 * = col dConv}. libnd4j's {@code conv2d_bp} took about five times as long on 3 input channels with
 * the oneDNN natives (its weight gradient kernel is slow there, and it also computes the image
 * gradient). Written by hand from ND4J array ops; works for any data type and backend.
 *
 * <p>The images go through in chunks of at most {@link #COL_VALUES} im2col values, accumulating
 * into the gradient (the GEMM's beta is 1 after the first chunk), so that the im2col matrix stays
 * at most 32 MB in float whatever the batch: at K=32, M=64 Conv-4's whole-batch matrix was 226 MB.
 */
final class ImageConvWeightGradient implements Runnable {
  /** Largest im2col matrix, in values (32 MB of floats). */
  static final long COL_VALUES = 8L << 20;

  private final Chunk[] chunks;
  private final INDArray gWt;
  private final INDArray gW2;

  /** The 3x3, stride 1, padding 1 case (see the other constructor). */
  ImageConvWeightGradient(INDArray x, INDArray dConv, INDArray gW, DataType dtype) {
    this(x, dConv, gW, 1, 1, dtype);
  }

  /**
   * @param x the conv input {@code [N, H, W, C]} (NHWC), read at each run
   * @param dConv dL/d(conv output) {@code [N, H', W', out]}, read at each run
   * @param gW the weight gradient {@code [out, C, k, k]} (C order), written at each run
   * @param stride the conv's stride s (both directions)
   * @param padding the conv's zero padding p (both sides, both directions)
   */
  ImageConvWeightGradient(
      INDArray x, INDArray dConv, INDArray gW, int stride, int padding, DataType dtype) {
    this(x, dConv, gW, stride, padding, dtype, COL_VALUES);
  }

  /** As above, with at most {@code colValues} im2col values a chunk (tests use small chunks). */
  ImageConvWeightGradient(
      INDArray x,
      INDArray dConv,
      INDArray gW,
      int stride,
      int padding,
      DataType dtype,
      long colValues) {
    long n = x.size(0);
    long h = x.size(1);
    long w = x.size(2);
    long c = x.size(3);
    long oh = dConv.size(1);
    long ow = dConv.size(2);
    long out = dConv.size(3);
    int k = Math.toIntExact(gW.size(2));
    if ((h + 2 * padding - k) / stride + 1 != oh || (w + 2 * padding - k) / stride + 1 != ow) {
      throw new IllegalArgumentException(
          String.format(
              java.util.Locale.ROOT,
              "a %dx%d/%d pad-%d conv of %dx%d does not give %dx%d",
              k,
              k,
              stride,
              padding,
              h,
              w,
              oh,
              ow));
    }
    long perImage = c * k * k * oh * ow;
    long chunk = Math.max(1, Math.min(n, colValues / perImage));
    int count = Math.toIntExact((n + chunk - 1) / chunk);
    chunks = new Chunk[count];
    // one im2col buffer for all chunks (each run overwrites it whole); the zero-bordered copy per
    // chunk size (at most two: the full chunks and a shorter last one), whose border stays zero
    INDArray colFlat = Nd4j.create(dtype, chunk * perImage);
    java.util.Map<Long, INDArray> padded = new java.util.HashMap<>();
    for (int i = 0; i < count; i++) {
      long first = i * chunk;
      long m = Math.min(chunk, n - first);
      INDArray pad =
          padded.computeIfAbsent(
              m, size -> Nd4j.create(dtype, c, size, h + 2 * padding, w + 2 * padding));
      chunks[i] =
          new Chunk(
              x.get(NDArrayIndex.interval(first, first + m)),
              dConv.get(NDArrayIndex.interval(first, first + m)),
              pad,
              colFlat.get(NDArrayIndex.interval(0, m * perImage)).reshape('c', c, k, k, m, oh, ow),
              k,
              stride,
              padding,
              i == 0);
    }
    gWt = Nd4j.create(dtype, c * k * k, out);
    gW2 = gW.reshape('c', out, c * k * k);
  }

  /** The views of one chunk of images. */
  private static final class Chunk {
    final INDArray inner;
    final INDArray xCnhw;
    final INDArray[] from;
    final INDArray[] to;
    final INDArray col2;
    final INDArray dConv2;
    final double beta;

    Chunk(
        INDArray x,
        INDArray dConv,
        INDArray padded,
        INDArray col,
        int k,
        int stride,
        int padding,
        boolean first) {
      long h = x.size(1);
      long w = x.size(2);
      long oh = dConv.size(1);
      long ow = dConv.size(2);
      inner =
          padded.get(
              NDArrayIndex.all(),
              NDArrayIndex.all(),
              NDArrayIndex.interval(padding, h + padding),
              NDArrayIndex.interval(padding, w + padding));
      xCnhw = x.permute(3, 0, 1, 2);
      from = new INDArray[k * k];
      to = new INDArray[k * k];
      for (int t = 0; t < k * k; t++) {
        int ky = t / k;
        int kx = t % k;
        from[t] =
            padded.get(
                NDArrayIndex.all(),
                NDArrayIndex.all(),
                window(ky, oh, stride),
                window(kx, ow, stride));
        to[t] =
            col.get(
                NDArrayIndex.all(),
                NDArrayIndex.point(ky),
                NDArrayIndex.point(kx),
                NDArrayIndex.all(),
                NDArrayIndex.all(),
                NDArrayIndex.all());
      }
      col2 = col.reshape('c', col.size(0) * k * k, x.size(0) * oh * ow);
      dConv2 = dConv.reshape('c', x.size(0) * oh * ow, dConv.size(3));
      beta = first ? 0.0 : 1.0;
    }
  }

  /** Chunks the batch is split into (1 unless it is large). */
  int chunks() {
    return chunks.length;
  }

  /** Rows (or columns) {@code start, start + s, ..., start + s (count - 1)} of the padded input. */
  private static INDArrayIndex window(long start, long count, int stride) {
    return stride == 1
        ? NDArrayIndex.interval(start, start + count)
        : NDArrayIndex.interval(start, stride, start + stride * (count - 1) + 1);
  }

  @Override
  public void run() {
    for (Chunk ch : chunks) {
      OpTimes.time(
          "conv1_im2col",
          () -> {
            ch.inner.assign(ch.xCnhw);
            for (int t = 0; t < ch.from.length; t++) {
              ch.to[t].assign(ch.from[t]);
            }
          });
      // Nd4j.gemm, not mmuli: 4.4 against 10.8 ms for Conv-4's [9, 200,704] x [200,704, 64]
      OpTimes.time(
          "conv1_dW_gemm", () -> Nd4j.gemm(ch.col2, ch.dConv2, gWt, false, false, 1.0, ch.beta));
    }
    gW2.assign(gWt.transpose());
  }
}

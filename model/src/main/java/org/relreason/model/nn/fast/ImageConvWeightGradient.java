package org.relreason.model.nn.fast;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The weight gradient of a 3x3, stride 1, padding 1 conv applied to the images (the first layer of
 * a backbone), without the gradient of the images, which nobody needs: one GEMM on an explicit
 * im2col matrix, {@code gW[o, (i, ky, kx)] = sum over (n, y, x) of xpad[i, n, y + ky, x + kx]
 * dConv[(n, y, x), o]}.
 *
 * <p>The im2col matrix {@code [(i, ky, kx), (n, y, x)]} is filled by nine copies of shifted windows
 * of a zero-bordered copy of the input {@code [i, n, H + 2, W + 2]} (runs of W contiguous values,
 * since images have only a few channels), then {@code gW^T = col dConv}. libnd4j's {@code
 * conv2d_bp} took about five times as long on 3 input channels with the oneDNN natives (its weight
 * gradient kernel is slow there, and it also computes the image gradient). Written by hand from
 * ND4J array ops; works for any data type and backend.
 */
final class ImageConvWeightGradient implements Runnable {
  private final INDArray inner;
  private final INDArray xCnhw;
  private final INDArray[] from = new INDArray[9];
  private final INDArray[] to = new INDArray[9];
  private final INDArray col2;
  private final INDArray dConv2;
  private final INDArray gWt;
  private final INDArray gW2;

  /**
   * @param x the conv input {@code [N, H, W, C]} (NHWC), read at each run
   * @param dConv dL/d(conv output) {@code [N, H, W, out]}, read at each run
   * @param gW the weight gradient {@code [out, C, 3, 3]} (C order), written at each run
   */
  ImageConvWeightGradient(INDArray x, INDArray dConv, INDArray gW, DataType dtype) {
    long n = x.size(0);
    long h = x.size(1);
    long w = x.size(2);
    long c = x.size(3);
    long out = dConv.size(3);
    INDArray padded = Nd4j.create(dtype, c, n, h + 2, w + 2); // the border stays zero
    inner =
        padded.get(
            NDArrayIndex.all(),
            NDArrayIndex.all(),
            NDArrayIndex.interval(1, h + 1),
            NDArrayIndex.interval(1, w + 1));
    xCnhw = x.permute(3, 0, 1, 2);
    INDArray col = Nd4j.create(dtype, c, 3, 3, n, h, w);
    for (int t = 0; t < 9; t++) {
      int ky = t / 3;
      int kx = t % 3;
      from[t] =
          padded.get(
              NDArrayIndex.all(),
              NDArrayIndex.all(),
              NDArrayIndex.interval(ky, ky + h),
              NDArrayIndex.interval(kx, kx + w));
      to[t] =
          col.get(
              NDArrayIndex.all(),
              NDArrayIndex.point(ky),
              NDArrayIndex.point(kx),
              NDArrayIndex.all(),
              NDArrayIndex.all(),
              NDArrayIndex.all());
    }
    col2 = col.reshape('c', c * 9, n * h * w);
    dConv2 = dConv.reshape('c', n * h * w, out);
    gWt = Nd4j.create(dtype, c * 9, out);
    gW2 = gW.reshape('c', out, c * 9);
  }

  @Override
  public void run() {
    OpTimes.time(
        "conv1_im2col",
        () -> {
          inner.assign(xCnhw);
          for (int t = 0; t < 9; t++) {
            to[t].assign(from[t]);
          }
        });
    OpTimes.time(
        "conv1_dW_gemm",
        () -> {
          col2.mmuli(dConv2, gWt);
          gW2.assign(gWt.transpose());
        });
  }
}

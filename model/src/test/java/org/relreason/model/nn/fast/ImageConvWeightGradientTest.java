package org.relreason.model.nn.fast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ImageConvWeightGradient} against the definition of a conv's weight gradient written as a
 * naive loop, in double, on non-square inputs whose border pixels matter (so a wrong shift, a wrong
 * stride or a dirty zero border shows): the 3x3, stride 1, padding 1 first conv of Conv-4 and the
 * CIFAR ResNets, and ResNet-34's 7x7, stride 2, padding 3 stem on an odd and an even size.
 */
class ImageConvWeightGradientTest {
  @Test
  void equalsNaiveLoopInDouble() {
    Nd4j.getRandom().setSeed(11);
    check(3, 5, 7, 3, 4, 3, 1, 1);
  }

  @Test
  void strideTwoSevenBySevenEqualsNaiveLoopInDouble() {
    Nd4j.getRandom().setSeed(12);
    check(2, 9, 12, 3, 5, 7, 2, 3);
    check(2, 10, 7, 3, 2, 7, 2, 3);
  }

  @Test
  void chunksOfImagesAccumulateToTheWholeBatchsGradient() {
    Nd4j.getRandom().setSeed(13);
    // 5 images in chunks of 2, 2 and 1 (two zero-bordered buffers, one im2col buffer)
    assertThat(check(5, 5, 7, 3, 4, 3, 1, 1, 2L * 3 * 9 * 5 * 7)).isEqualTo(3);
    assertThat(check(5, 9, 12, 3, 5, 7, 2, 3, 2L * 3 * 49 * 5 * 6 + 1)).isEqualTo(3);
  }

  private static void check(int n, int h, int w, int c, int out, int k, int s, int p) {
    assertThat(check(n, h, w, c, out, k, s, p, ImageConvWeightGradient.COL_VALUES)).isEqualTo(1);
  }

  /**
   * Inputs [n, h, w, c], a k x k conv of stride s and padding p to {@code out} channels, at most
   * {@code colValues} im2col values a chunk; returns the number of chunks.
   */
  private static int check(
      int n, int h, int w, int c, int out, int k, int s, int p, long colValues) {
    int oh = (h + 2 * p - k) / s + 1;
    int ow = (w + 2 * p - k) / s + 1;
    INDArray x = Nd4j.randn(DataType.DOUBLE, n, h, w, c);
    INDArray dConv = Nd4j.randn(DataType.DOUBLE, n, oh, ow, out);
    INDArray gW = Nd4j.create(DataType.DOUBLE, 1, out * c * k * k);
    ImageConvWeightGradient op =
        k == 3 && s == 1 && p == 1 && colValues == ImageConvWeightGradient.COL_VALUES
            ? new ImageConvWeightGradient(x, dConv, gW.reshape('c', out, c, 3, 3), DataType.DOUBLE)
            : new ImageConvWeightGradient(
                x, dConv, gW.reshape('c', out, c, k, k), s, p, DataType.DOUBLE, colValues);
    op.run();
    op.run(); // a second run must give the same (nothing accumulates)
    double[][][][] xs = new double[n][h][w][c];
    double[][][][] ds = new double[n][oh][ow][out];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < h; y++) {
        for (int z = 0; z < w; z++) {
          for (int ch = 0; ch < c; ch++) {
            xs[i][y][z][ch] = x.getDouble(i, y, z, ch);
          }
        }
      }
      for (int y = 0; y < oh; y++) {
        for (int z = 0; z < ow; z++) {
          for (int o = 0; o < out; o++) {
            ds[i][y][z][o] = dConv.getDouble(i, y, z, o);
          }
        }
      }
    }
    INDArray got = gW.reshape('c', out, c, k, k);
    for (int o = 0; o < out; o++) {
      for (int ch = 0; ch < c; ch++) {
        for (int ky = 0; ky < k; ky++) {
          for (int kx = 0; kx < k; kx++) {
            double want = 0;
            for (int i = 0; i < n; i++) {
              for (int y = 0; y < oh; y++) {
                for (int z = 0; z < ow; z++) {
                  int sy = s * y + ky - p;
                  int sx = s * z + kx - p;
                  if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                    want += xs[i][sy][sx][ch] * ds[i][y][z][o];
                  }
                }
              }
            }
            assertThat(got.getDouble(o, ch, ky, kx))
                .as("gW[%d, %d, %d, %d]", o, ch, ky, kx)
                .isCloseTo(want, org.assertj.core.data.Offset.offset(1e-12));
          }
        }
      }
    }
    return op.chunks();
  }
}

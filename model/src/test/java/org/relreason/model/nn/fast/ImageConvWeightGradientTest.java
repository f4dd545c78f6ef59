package org.relreason.model.nn.fast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link ImageConvWeightGradient} against the definition of a 3x3, stride 1, padding 1 conv's
 * weight gradient written as a naive loop, in double, on a non-square input whose border pixels
 * matter (so a wrong shift or a dirty zero border shows).
 */
class ImageConvWeightGradientTest {
  @Test
  void equalsNaiveLoopInDouble() {
    int n = 3;
    int h = 5;
    int w = 7;
    int c = 3;
    int out = 4;
    Nd4j.getRandom().setSeed(11);
    INDArray x = Nd4j.randn(DataType.DOUBLE, n, h, w, c);
    INDArray dConv = Nd4j.randn(DataType.DOUBLE, n, h, w, out);
    INDArray gW = Nd4j.create(DataType.DOUBLE, 1, out * c * 9);
    ImageConvWeightGradient op =
        new ImageConvWeightGradient(x, dConv, gW.reshape('c', out, c, 3, 3), DataType.DOUBLE);
    op.run();
    op.run(); // a second run must give the same (nothing accumulates)
    double[][][][] xs = new double[n][h][w][c];
    double[][][][] ds = new double[n][h][w][out];
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < h; y++) {
        for (int z = 0; z < w; z++) {
          for (int ch = 0; ch < c; ch++) {
            xs[i][y][z][ch] = x.getDouble(i, y, z, ch);
          }
          for (int o = 0; o < out; o++) {
            ds[i][y][z][o] = dConv.getDouble(i, y, z, o);
          }
        }
      }
    }
    INDArray got = gW.reshape('c', out, c, 3, 3);
    for (int o = 0; o < out; o++) {
      for (int ch = 0; ch < c; ch++) {
        for (int ky = 0; ky < 3; ky++) {
          for (int kx = 0; kx < 3; kx++) {
            double want = 0;
            for (int i = 0; i < n; i++) {
              for (int y = 0; y < h; y++) {
                for (int z = 0; z < w; z++) {
                  int sy = y + ky - 1;
                  int sx = z + kx - 1;
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
  }
}

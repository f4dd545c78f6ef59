package org.relreason.model.nn.fast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link FusedBnRelu} against a straightforward double-precision batch norm + ReLU + pooling
 * written from the definitions (Ioffe and Szegedy 2015), on NHWC data whose channel means are many
 * standard deviations from zero (as a ReLU-fed conv's output is), with odd spatial sizes (floor
 * pooling) and channel counts that do not divide the tile.
 */
class FusedBnReluTest {
  private static final double EPS = 1e-5;

  @ParameterizedTest(name = "N={0} H={1} W={2} C={3} pool={4}")
  @CsvSource({
    "6, 8, 8, 8, true",
    "4, 7, 5, 12, true",
    "5, 4, 4, 64, false",
    "3, 3, 3, 5, false",
    "2, 16, 16, 16, true",
    "32, 8, 8, 32, true",
    "32, 4, 4, 64, false",
    "32, 32, 32, 8, true"
  })
  void matchesDoubleReference(int n, int h, int w, int c, boolean pool) {
    Random r = new Random(7 + n * 31 + c);
    int len = n * h * w * c;
    double[] x = new double[len];
    double[] shiftOf = new double[c];
    for (int j = 0; j < c; j++) {
      shiftOf[j] = 20 * r.nextGaussian(); // |mean| up to ~50 standard deviations
    }
    for (int i = 0; i < len; i++) {
      x[i] = (float) (shiftOf[i % c] + r.nextGaussian());
    }
    for (int j = 0; j < c; j++) {
      x[j] = (float) (shiftOf[j] + 40); // a first pixel far out, as a padded corner can be
    }
    float[] gamma = new float[c];
    float[] beta = new float[c];
    for (int j = 0; j < c; j++) {
      gamma[j] = (float) (1 + 0.3 * r.nextGaussian());
      beta[j] = (float) (0.5 * r.nextGaussian());
    }
    int outLen = pool ? n * (h / 2) * (w / 2) * c : n * c;
    double[] dOut = new double[outLen];
    for (int i = 0; i < outLen; i++) {
      dOut[i] = (float) r.nextGaussian();
    }
    double[] local = new double[len];
    for (int i = 0; i < len; i++) {
      local[i] = (float) (0.1 * r.nextGaussian());
    }

    FusedBnRelu fused = new FusedBnRelu(n, h, w, c, pool, EPS);
    INDArray xArr = Nd4j.create(x, new long[] {n, h, w, c}, DataType.FLOAT);
    INDArray out =
        Nd4j.create(DataType.FLOAT, pool ? new long[] {n, h / 2, w / 2, c} : new long[] {n, c});
    fused.forward(xArr, gamma, beta, out);
    INDArray act = Nd4j.create(DataType.FLOAT, n, h, w, c);
    fused.copyActivationTo(act);
    // The ReLU mask of the backward is taken from the float forward: where a pre-activation is
    // within float rounding of 0 the two precisions may disagree on the mask, a discrete choice
    // that moves a channel's gradient by a whole term (the ReLU output itself is checked here).
    Reference ref =
        new Reference(x, n, h, w, c, pool, gamma, beta, dOut, local, act.data().asDouble());
    assertClose("mean", fused.mean(), ref.mean, 1e-5);
    assertClose("variance", fused.variance(), ref.var, 1e-5);
    assertClose("output", out.data().asDouble(), ref.out, 1e-5);
    assertClose("ReLU output", act.data().asDouble(), ref.act, 1e-5);

    double[] gGamma = new double[c];
    double[] gBeta = new double[c];
    INDArray dConv = Nd4j.create(DataType.FLOAT, n, h, w, c);
    INDArray dOutArr = Nd4j.create(dOut, out.shape(), DataType.FLOAT);
    INDArray localArr = Nd4j.create(local, new long[] {n, h, w, c}, DataType.FLOAT);
    fused.backward(dOutArr, localArr, gamma, gGamma, gBeta, dConv);
    assertClose("dgamma", gGamma, ref.gGamma, 1e-4);
    assertClose("dbeta", gBeta, ref.gBeta, 1e-4);
    assertClose("dx", dConv.data().asDouble(), ref.dx, 1e-4);
  }

  @org.junit.jupiter.api.Test
  void writesIntoAViewAtAnOffsetAsIntoAnArrayOfItsOwn() {
    int n = 2;
    int h = 4;
    int w = 4;
    int c = 3;
    Nd4j.getRandom().setSeed(5);
    INDArray x = Nd4j.randn(DataType.FLOAT, n, h, w, c);
    float[] gamma = {1.1f, 0.9f, 1.3f};
    float[] beta = {0.1f, -0.2f, 0.3f};
    long outLen = (long) n * (h / 2) * (w / 2) * c;
    INDArray whole = Nd4j.create(DataType.FLOAT, n, h / 2, w / 2, c);
    new FusedBnRelu(n, h, w, c, true, EPS).forward(x, gamma, beta, whole);
    // the second half of a buffer twice the size: a view whose offset is not 0
    INDArray flat = Nd4j.zeros(DataType.FLOAT, 2 * outLen);
    INDArray view =
        flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(outLen, 2 * outLen))
            .reshape('c', n, h / 2, w / 2, c);
    new FusedBnRelu(n, h, w, c, true, EPS).forward(x, gamma, beta, view);
    org.assertj.core.api.Assertions.assertThat(view.dup().data().asFloat())
        .containsExactly(whole.data().asFloat());
    org.assertj.core.api.Assertions.assertThat(
            flat.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, outLen))
                .sumNumber()
                .doubleValue())
        .as("the values before the view")
        .isZero();
  }

  /** Largest difference relative to the reference's largest magnitude. */
  private static void assertClose(String what, double[] actual, double[] expected, double tol) {
    assertThat(actual).hasSameSizeAs(expected);
    double scale = 1e-30;
    double worst = 0;
    int at = 0;
    for (int i = 0; i < expected.length; i++) {
      scale = Math.max(scale, Math.abs(expected[i]));
      double d = Math.abs(actual[i] - expected[i]);
      if (d > worst) {
        worst = d;
        at = i;
      }
    }
    assertThat(worst / scale)
        .as("%s[%d]: %s vs %s (scale %s)", what, at, actual[at], expected[at], scale)
        .isLessThan(tol);
  }

  /** Batch norm + ReLU + pooling, forward and backward, in double, from the definitions. */
  private static final class Reference {
    final double[] mean;
    final double[] var;
    final double[] act;
    final double[] out;
    final double[] gGamma;
    final double[] gBeta;
    final double[] dx;

    Reference(
        double[] x,
        int n,
        int h,
        int w,
        int c,
        boolean pool,
        float[] gamma,
        float[] beta,
        double[] dOut,
        double[] local,
        double[] maskAct) {
      int rows = n * h * w;
      mean = new double[c];
      var = new double[c];
      for (int i = 0; i < x.length; i++) {
        mean[i % c] += x[i] / rows;
      }
      for (int i = 0; i < x.length; i++) {
        double d = x[i] - mean[i % c];
        var[i % c] += d * d / rows;
      }
      double[] xhat = new double[x.length];
      act = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        int j = i % c;
        xhat[i] = (x[i] - mean[j]) / Math.sqrt(var[j] + EPS);
        act[i] = Math.max(0, gamma[j] * xhat[i] + beta[j]);
      }
      double[] dAct = local.clone();
      if (pool) {
        int ph = h / 2;
        int pw = w / 2;
        out = new double[n * ph * pw * c];
        for (int im = 0; im < n; im++) {
          for (int y = 0; y < ph; y++) {
            for (int xq = 0; xq < pw; xq++) {
              for (int j = 0; j < c; j++) {
                int o = ((im * ph + y) * pw + xq) * c + j;
                for (int dy = 0; dy < 2; dy++) {
                  for (int dxq = 0; dxq < 2; dxq++) {
                    int i = ((im * h + 2 * y + dy) * w + 2 * xq + dxq) * c + j;
                    out[o] += act[i] / 4;
                    dAct[i] += dOut[o] / 4;
                  }
                }
              }
            }
          }
        }
      } else {
        out = new double[n * c];
        for (int i = 0; i < x.length; i++) {
          int im = i / (h * w * c);
          out[im * c + i % c] += act[i] / (h * w);
          dAct[i] += dOut[im * c + i % c] / (h * w);
        }
      }
      double[] dy = new double[x.length];
      gGamma = new double[c];
      gBeta = new double[c];
      for (int i = 0; i < x.length; i++) {
        dy[i] = maskAct[i] > 0 ? dAct[i] : 0;
        gGamma[i % c] += dy[i] * xhat[i];
        gBeta[i % c] += dy[i];
      }
      dx = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        int j = i % c;
        double s = 1 / Math.sqrt(var[j] + EPS);
        dx[i] = gamma[j] * s * (dy[i] - gBeta[j] / rows - xhat[i] * gGamma[j] / rows);
      }
    }
  }

  @Test
  void fusedLoopsOnlyOnTheCpuBackend() {
    assertThat(FastConv4Backbone.fused(null, true, 1)).isTrue();
    assertThat(FastConv4Backbone.fused(null, true, 2)).isFalse();
    // a GPU backend never gets the host-memory loops by default, and asking for them fails
    assertThat(FastConv4Backbone.fused(null, false, 1)).isFalse();
    assertThat(FastConv4Backbone.fused("false", false, 1)).isFalse();
    assertThat(FastConv4Backbone.fused("TRUE", true, 2)).isTrue();
    assertThatThrownBy(() -> FastConv4Backbone.fused("true", false, 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("relreason.fusedBn=true")
        .hasMessageContaining("CPU backend");
    assertThatThrownBy(() -> FastConv4Backbone.fused("yes", true, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("relreason.fusedBn=yes");
  }
}

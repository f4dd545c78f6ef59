package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.nn.fast.FastConv4Backbone;
import org.relreason.model.nn.fast.FastConv4Backbone.Layout;

/**
 * Central finite differences against {@link FastConv4Backbone#backward(INDArray)} in double, batch
 * norm in training mode, on its own (not through the DL4J reference): {@code L = sum(features *
 * R)}, N=4, 3x16x16, width 0.5. Every trainable parameter array is sampled; a position passes when
 * the analytic and numeric derivatives differ by at most {@link #ABSOLUTE_FLOOR} (the rounding
 * noise of a central difference of an O(10) loss in double at {@link #EPS}), else when their
 * relative error is below 1e-5.
 */
@ExtendWith(DoublePrecision.class)
class FastConv4GradientCheckTest {
  private static final double EPS = 1e-6;
  private static final double MAX_RELATIVE_ERROR = 1e-5;
  private static final double ABSOLUTE_FLOOR = 1e-9;
  private static final int PER_ARRAY = 25;

  @ParameterizedTest
  @EnumSource(
      value = Layout.class,
      names = {"NCHW_OIHW", "NHWC_HWIO", "NHWC_OIHW"})
  void gradientMatchesCentralDifferences(Layout layout) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    FastConv4Backbone b = new FastConv4Backbone(3, 16, 16, 0.5, DataType.DOUBLE, layout);
    b.params().assign(Backbones.build(spec, 42, DataType.DOUBLE).params());
    Nd4j.getRandom().setSeed(7);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16);
    INDArray r = Nd4j.randn(DataType.DOUBLE, 4, b.featureSize());
    INDArray params = b.params();
    INDArray before = params.dup();
    b.forward(x, true);
    b.backward(r);
    double[] analytic = b.gradients().toDoubleVector();
    boolean[] stats = b.statisticsMask();

    Random rng = new Random(11);
    int compared = 0;
    int relativeCompared = 0;
    double maxRel = 0;
    // Each block's trainable values (weights, gamma, beta) are one run between the statistics;
    for (int[] range : trainableRanges(stats)) {
      for (int s = 0; s < PER_ARRAY; s++) {
        int i = range[0] + rng.nextInt(range[1] - range[0]);
        double p = params.getDouble(i);
        params.putScalar(i, p + EPS);
        double plus = loss(b, x, r);
        params.putScalar(i, p - EPS);
        double minus = loss(b, x, r);
        params.putScalar(i, p);
        double numeric = (plus - minus) / (2 * EPS);
        double abs = Math.abs(numeric - analytic[i]);
        compared++;
        if (abs > ABSOLUTE_FLOOR) {
          double rel = abs / Math.max(Math.abs(numeric), Math.abs(analytic[i]));
          maxRel = Math.max(maxRel, rel);
          relativeCompared++;
        }
      }
    }
    System.out.printf(
        "fast gradient check %s: compared=%d relative=%d maxRelativeError=%.3e%n",
        layout, compared, relativeCompared, maxRel);
    assertThat(compared).isGreaterThan(200);
    assertThat(maxRel).isLessThan(MAX_RELATIVE_ERROR);
    assertThat(params.equals(before)).as("forwards must not change the parameters").isTrue();
  }

  private static double loss(FastConv4Backbone b, INDArray x, INDArray r) {
    return b.forward(x, true).mul(r).sumNumber().doubleValue();
  }

  /**
   * {@code [from, to)} of every trainable array: per block, a run of trainable positions (weights,
   * gamma, beta) is followed by {@code 2 C} statistics (mean, log10 std), which gives C.
   */
  private static java.util.List<int[]> trainableRanges(boolean[] stats) {
    java.util.List<int[]> out = new java.util.ArrayList<>();
    int i = 0;
    while (i < stats.length) {
      int from = i;
      while (!stats[i]) {
        i++;
      }
      int to = i;
      while (i < stats.length && stats[i]) {
        i++;
      }
      int c = (i - to) / 2;
      out.add(new int[] {from, to - 2 * c});
      out.add(new int[] {to - 2 * c, to - c});
      out.add(new int[] {to - c, to});
    }
    return out;
  }
}

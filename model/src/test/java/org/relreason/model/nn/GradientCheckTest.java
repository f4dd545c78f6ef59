package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;

/**
 * Central finite differences against {@link Backbone#backward(INDArray)} in double precision, with
 * batch norm in training (batch-statistics) mode. The loss is {@code L = sum(features * R)} for a
 * fixed random {@code R}, so {@code backward(R)} must give {@code dL/dtheta}.
 */
@ExtendWith(DoublePrecision.class)
class GradientCheckTest {
  private static final double EPS = 1e-6;
  private static final double MAX_RELATIVE_ERROR = 1e-5;

  /**
   * Relative errors are compared for derivatives at least this large; smaller ones are compared in
   * absolute terms against {@link #MAX_ABSOLUTE_ERROR}. A central difference of an O(10) loss in
   * double carries a rounding error of about 1e-16 * 10 / EPS = 1e-9, which alone would be a
   * relative error above 1e-5 for derivatives below 1e-4.
   */
  private static final double RELATIVE_FROM = 1e-3;

  private static final double MAX_ABSOLUTE_ERROR = 1e-8;

  @Test
  void conv4GradientMatchesFiniteDifferences() {
    Check c = check(new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16), 25);
    assertThat(c.maxRelativeError).isLessThan(MAX_RELATIVE_ERROR);
    assertThat(c.maxAbsoluteError).isLessThan(MAX_ABSOLUTE_ERROR);
  }

  @Test
  void resnet8GradientMatchesFiniteDifferences() {
    Check c = check(new BackboneSpec(BackboneKind.RESNET8, 0.25, 3, 16, 16), 25);
    assertThat(c.maxRelativeError).isLessThan(MAX_RELATIVE_ERROR);
    assertThat(c.maxAbsoluteError).isLessThan(MAX_ABSOLUTE_ERROR);
  }

  record Check(int compared, double maxRelativeError, double maxAbsoluteError) {}

  /**
   * Compares up to {@code perArray} random positions of every trainable parameter array (all of
   * them when smaller), skipping the batch-norm statistics.
   */
  private static Check check(BackboneSpec spec, int perArray) {
    GraphBackbone b = (GraphBackbone) Backbones.build(spec, 42, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(7);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 4, spec.channels(), spec.height(), spec.widthPx());
    INDArray r = Nd4j.randn(DataType.DOUBLE, 4, b.featureSize());
    INDArray params = b.params();
    INDArray before = params.dup();

    b.forward(x, true);
    b.backward(r);
    double[] analytic = b.gradients().toDoubleVector();
    assertThat(params.equals(before)).as("forward/backward leave params alone").isTrue();

    boolean[] stats = b.statisticsMask();
    List<Integer> picked = sample(b, perArray);
    double maxRel = 0;
    double maxAbs = 0;
    int compared = 0;
    for (int i : picked) {
      if (stats[i]) {
        continue;
      }
      double p = params.getDouble(i);
      params.putScalar(i, p + EPS);
      double plus = loss(b, x, r);
      params.putScalar(i, p - EPS);
      double minus = loss(b, x, r);
      params.putScalar(i, p);
      double numeric = (plus - minus) / (2 * EPS);
      double abs = Math.abs(numeric - analytic[i]);
      double rel = abs / Math.max(Math.abs(numeric), Math.abs(analytic[i]));
      if (Math.max(Math.abs(numeric), Math.abs(analytic[i])) >= RELATIVE_FROM) {
        maxRel = Math.max(maxRel, rel);
      } else {
        maxAbs = Math.max(maxAbs, abs);
      }
      compared++;
    }
    assertThat(params.equals(before))
        .as("perturbed training forwards must not drift the batch-norm statistics")
        .isTrue();
    Check c = new Check(compared, maxRel, maxAbs);
    System.out.printf("gradient check %s: %s%n", spec, c);
    return c;
  }

  private static double loss(Backbone b, INDArray x, INDArray r) {
    return b.forward(x, true).mul(r).sumNumber().doubleValue();
  }

  /** Flat indices: up to {@code perArray} random positions of each parameter array. */
  private static List<Integer> sample(GraphBackbone b, int perArray) {
    Random rng = new Random(11);
    List<Integer> out = new ArrayList<>();
    for (Map.Entry<String, INDArray> e : b.graph().paramTable().entrySet()) {
      List<Integer> pos = ParamPositions.of(b, e.getKey());
      Collections.shuffle(pos, rng);
      out.addAll(pos.subList(0, Math.min(perArray, pos.size())));
    }
    return out;
  }
}

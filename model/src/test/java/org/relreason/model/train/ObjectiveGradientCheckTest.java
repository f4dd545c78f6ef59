package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.LossKind;
import org.relreason.model.nn.PairPlan;

/**
 * The analytic gradient of the whole objective (Conv-4 backbone → pairs → head → focal loss)
 * against central finite differences, in double precision, for every aggregation.
 */
@ExtendWith(DoublePrecision.class)
class ObjectiveGradientCheckTest {
  private static int savedThreads;

  @BeforeAll
  static void oneThread() {
    // hundreds of tiny forwards: one thread avoids OpenMP hand-over costs
    savedThreads = Nd4j.getEnvironment().maxThreads();
    Nd4j.getEnvironment().setMaxThreads(1);
  }

  @AfterAll
  static void restoreThreads() {
    Nd4j.getEnvironment().setMaxThreads(savedThreads);
  }

  @ParameterizedTest
  @EnumSource(Aggregation.class)
  void analyticGradientMatchesCentralDifferences(Aggregation aggregation) {
    check(aggregation, LossKind.FOCAL, PairPlan.of(3, 3));
  }

  @ParameterizedTest
  @EnumSource(LossKind.class)
  void semiSupervisedTargetsAndBothLossesAreDifferentiatedCorrectly(LossKind loss) {
    check(Aggregation.CAT, loss, PairPlan.withLabels(4, 3, new int[] {1, 1, -1, 1}));
  }

  private static void check(Aggregation aggregation, LossKind lossKind, PairPlan plan) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    RelationalModel model =
        new RelationalModel(spec, aggregation, FocalLoss.of(lossKind, 2, 0.5), 42, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(3);
    INDArray views = Nd4j.randn(DataType.DOUBLE, plan.k() * plan.m(), 3, 16, 16);
    double[] p0 = model.params().toDoubleVector();
    model.computeGradients(views, plan);
    double[] analytic = model.gradients().toDoubleVector();
    boolean[] stats = model.statisticsMask();

    SplittableRandom rnd = new SplittableRandom(11);
    double eps = 1e-6;
    double worst = 0;
    int checked = 0;
    int n = p0.length;
    long backboneSize = model.backboneParams();
    for (int t = 0; t < 120; t++) {
      // a third from the head, the rest from the whole vector (mostly the backbone)
      int i = t < 40 ? (int) (backboneSize + rnd.nextLong(n - backboneSize)) : rnd.nextInt(n);
      if (stats[i]) {
        continue;
      }
      double plus = lossAt(model, p0, i, eps, views, plan);
      double minus = lossAt(model, p0, i, -eps, views, plan);
      double numeric = (plus - minus) / (2 * eps);
      double a = analytic[i];
      double diff = Math.abs(a - numeric);
      double rel = diff / Math.max(Math.abs(a) + Math.abs(numeric), 1e-300);
      checked++;
      // Central differences in double with eps 1e-6 carry ~1e-10 of round-off: below an absolute
      // difference of 1e-9 the relative error says nothing (DL4J's own checks use the same idea).
      if (diff > 1e-9) {
        worst = Math.max(worst, rel);
        assertThat(rel)
            .as(
                "param %d (%s): analytic %.10g numeric %.10g",
                i, i < backboneSize ? "backbone" : "head", a, numeric)
            .isLessThan(1e-5);
      }
    }
    assertThat(checked).isGreaterThan(90);
    assertThat(worst).isLessThan(1e-5);
    setParams(model, p0);
  }

  private static double lossAt(
      RelationalModel model, double[] p0, int i, double delta, INDArray views, PairPlan plan) {
    double[] p = p0.clone();
    p[i] += delta;
    setParams(model, p);
    return model.loss(views, plan);
  }

  private static void setParams(RelationalModel model, double[] p) {
    model.params().assign(Nd4j.createFromArray(p).reshape(model.params().shape()));
  }
}

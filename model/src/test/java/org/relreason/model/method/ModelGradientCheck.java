package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.train.Batch;
import org.relreason.model.train.PhaseTimer;
import org.relreason.model.train.PretrainModel;

/**
 * The analytic flat gradient of a {@link PretrainModel}'s step against central finite differences
 * of its loss, in double precision (the test must run under {@code DoublePrecision}), as {@code
 * ObjectiveGradientCheckTest} does for relational reasoning.
 */
final class ModelGradientCheck {
  private ModelGradientCheck() {}

  /**
   * Checks {@code samples} parameters, a third of them from the head; returns how many were
   * compared (batch-norm statistics are skipped).
   */
  static int check(PretrainModel model, Batch batch, int samples) {
    return check(model, batch, samples, model::loss, model::loss);
  }

  /**
   * As above, with the backbone's gradient against the finite differences of {@code backboneLoss}
   * and the head's against those of {@code headLoss}: for a method whose encoder and head descend
   * different losses (Deep InfoMax's adversarial prior term, a gradient reversal).
   */
  static int check(
      PretrainModel model,
      Batch batch,
      int samples,
      ToDoubleFunction<Batch> backboneLoss,
      ToDoubleFunction<Batch> headLoss) {
    double[] p0 = model.params().toDoubleVector();
    model.computeGradients(batch, new PhaseTimer());
    double[] analytic = model.gradients().toDoubleVector();
    boolean[] stats = model.statisticsMask();
    long backboneSize = model.backboneParams();
    int n = p0.length;
    SplittableRandom rnd = new SplittableRandom(5);
    double eps = 1e-6;
    int checked = 0;
    int nonZero = 0;
    for (int t = 0; t < samples; t++) {
      int i =
          t < samples / 3 ? (int) (backboneSize + rnd.nextLong(n - backboneSize)) : rnd.nextInt(n);
      if (stats[i]) {
        continue;
      }
      ToDoubleFunction<Batch> loss = i < backboneSize ? backboneLoss : headLoss;
      double numeric =
          (lossAt(model, p0, i, eps, batch, loss) - lossAt(model, p0, i, -eps, batch, loss))
              / (2 * eps);
      double a = analytic[i];
      double diff = Math.abs(a - numeric);
      double rel = diff / Math.max(Math.abs(a) + Math.abs(numeric), 1e-300);
      checked++;
      nonZero += Math.abs(numeric) > 1e-8 ? 1 : 0;
      // below an absolute difference of 1e-9 the relative error is round-off (eps 1e-6)
      if (diff > 1e-9) {
        assertThat(rel)
            .as(
                "param %d (%s): analytic %.10g numeric %.10g",
                i, i < backboneSize ? "backbone" : "head", a, numeric)
            .isLessThan(1e-5);
      }
    }
    setParams(model, p0);
    // a check of gradients that are all zero would prove nothing
    assertThat(nonZero)
        .as("parameters with a non-zero numeric gradient")
        .isGreaterThan(checked / 2);
    return checked;
  }

  private static double lossAt(
      PretrainModel model,
      double[] p0,
      int i,
      double d,
      Batch batch,
      ToDoubleFunction<Batch> loss) {
    double[] p = p0.clone();
    p[i] += d;
    setParams(model, p);
    return loss.applyAsDouble(batch);
  }

  private static void setParams(PretrainModel model, double[] p) {
    model.params().assign(Nd4j.createFromArray(p).reshape(model.params().shape()));
  }
}

package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.HeadKind;
import org.relreason.model.nn.PairPlan;

/** The relation-head ablations: dot product and encoder + dot product. */
@ExtendWith(DoublePrecision.class)
class PairScorerAblationTest {

  @Test
  void dotLogitsAreTheDotProductsOfThePairedFeatures() {
    // M = 3 images, K = 2 views, 2-D features; rows view-major
    double[][] f = {{1, 2}, {0, -1}, {3, 0.5}, {2, 1}, {-1, 4}, {0.5, 0.5}};
    PairPlan plan = PairPlan.of(3, 2);
    DotPairScorer scorer = new DotPairScorer(null, DataType.DOUBLE);
    double[] logits =
        scorer
            .forward(Nd4j.createFromArray(f), plan, true, new PhaseTimer())
            .reshape(6)
            .toDoubleVector();
    // positives (z0[n], z1[n]): 1·2+2·1 = 4, 0·(−1)+(−1)·4 = −4, 3·0.5+0.5·0.5 = 1.75;
    // negatives (z0[n], z1[(n+1) mod 3]): (1,2)·(−1,4) = 7, (0,−1)·(0.5,0.5) = −0.5,
    // (3,0.5)·(2,1) = 6.5
    assertThat(logits).containsExactly(new double[] {4, -4, 1.75, 7, -0.5, 6.5}, within(1e-12));
    // dL/dz_l = g z_r and dL/dz_r = g z_l, summed over the pairs a row is in
    double[] g = {1, 0, 0, 0, 0, 2};
    double[][] d =
        scorer
            .backward(Nd4j.createFromArray(g).reshape(6, 1), plan, new PhaseTimer())
            .toDoubleMatrix();
    // pair 0 is (row 0, row 3); pair 5 is (row 2, row 3)
    assertThat(d[0]).containsExactly(new double[] {2, 1}, within(1e-12));
    assertThat(d[2]).containsExactly(new double[] {4, 2}, within(1e-12));
    assertThat(d[3]).containsExactly(new double[] {1 + 2 * 3, 2 + 2 * 0.5}, within(1e-12));
    assertThat(d[1]).containsExactly(new double[] {0, 0}, within(1e-12));
  }

  @Test
  void dotAndEncoderDotModelsHaveCorrectGradients() {
    for (HeadKind kind : new HeadKind[] {HeadKind.DOT, HeadKind.ENCODER_DOT}) {
      BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
      RelationalModel model =
          new RelationalModel(
              Backbones.build(spec, 4, DataType.DOUBLE),
              kind,
              Aggregation.CAT,
              FocalLoss.bce(),
              3,
              42,
              DataType.DOUBLE);
      assertThat(model.numParams() > model.backboneParams())
          .isEqualTo(kind == HeadKind.ENCODER_DOT);
      Nd4j.getRandom().setSeed(3);
      INDArray views = Nd4j.randn(DataType.DOUBLE, 3 * 3, 3, 16, 16);
      double[] p0 = model.params().toDoubleVector();
      PairPlan plan = PairPlan.of(3, 3);
      model.computeGradients(views, plan);
      double[] analytic = model.gradients().toDoubleVector();
      boolean[] stats = model.statisticsMask();
      SplittableRandom rnd = new SplittableRandom(11);
      int checked = 0;
      for (int t = 0; t < 60; t++) {
        int i = rnd.nextInt(p0.length);
        if (stats[i]) {
          continue;
        }
        double[] p = p0.clone();
        p[i] += 1e-6;
        model.params().assign(Nd4j.createFromArray(p).reshape(model.params().shape()));
        double plus = model.loss(views, plan);
        p[i] -= 2e-6;
        model.params().assign(Nd4j.createFromArray(p).reshape(model.params().shape()));
        double minus = model.loss(views, plan);
        double numeric = (plus - minus) / 2e-6;
        double diff = Math.abs(numeric - analytic[i]);
        if (diff > 1e-9) {
          assertThat(diff / (Math.abs(numeric) + Math.abs(analytic[i])))
              .as("%s param %d: analytic %g numeric %g", kind, i, analytic[i], numeric)
              .isLessThan(1e-5);
        }
        checked++;
      }
      assertThat(checked).isGreaterThan(40);
    }
  }
}

package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.train.Batch;

/** SimCLR's NT-Xent against a hand computation, and its gradient against finite differences. */
@ExtendWith(DoublePrecision.class)
class NtXentTest {

  /** 3 images × 2 views of 2-D vectors, given by angle (degrees) and length (irrelevant). */
  private static final double[] ANGLES = {0, 90, 180, 30, 120, 250};

  private static final double[] LENGTHS = {1, 2, 0.5, 3, 1, 1.5};

  private static double[][] vectors() {
    double[][] z = new double[6][];
    for (int i = 0; i < 6; i++) {
      double a = Math.toRadians(ANGLES[i]);
      z[i] = new double[] {LENGTHS[i] * Math.cos(a), LENGTHS[i] * Math.sin(a)};
    }
    return z;
  }

  @Test
  void lossEqualsTheHandComputedValueOnThreeImagesOfTwoViews() {
    double tau = 0.5;
    // by hand: the cosine of two unit vectors is the cosine of their angle difference; anchor i's
    // positive is i ± 3; loss_i = −cos(i, pos)/τ + log Σ_{k≠i} exp(cos(i, k)/τ)
    double expected = 0;
    for (int i = 0; i < 6; i++) {
      int pos = i < 3 ? i + 3 : i - 3;
      double denominator = 0;
      for (int k = 0; k < 6; k++) {
        if (k != i) {
          denominator += Math.exp(Math.cos(Math.toRadians(ANGLES[i] - ANGLES[k])) / tau);
        }
      }
      expected += -Math.cos(Math.toRadians(ANGLES[i] - ANGLES[pos])) / tau + Math.log(denominator);
    }
    expected /= 6;
    NtXent.Result r = NtXent.evaluate(vectors(), tau);
    assertThat(r.loss()).isCloseTo(expected, within(1e-12));
    // the same formula evaluated once outside Java (Python), so a change of both would show
    assertThat(r.loss()).isCloseTo(0.601907, within(1e-6));
    // every anchor's nearest other vector is its positive, except 2 (180°): 4 (120°) is nearer
    // than its positive 5 (250°)
    assertThat(r.correct()).isEqualTo(5);
  }

  @Test
  void lossDoesNotDependOnTheLengthsAndFallsAsPositivesAlign() {
    double[][] z = vectors();
    double base = NtXent.evaluate(z, 0.5).loss();
    double[][] scaled = vectors();
    for (double[] row : scaled) {
      row[0] *= 7;
      row[1] *= 7;
    }
    assertThat(NtXent.evaluate(scaled, 0.5).loss()).isCloseTo(base, within(1e-12));
    double[][] aligned = vectors();
    aligned[3] = aligned[0].clone();
    assertThat(NtXent.evaluate(aligned, 0.5).loss()).isLessThan(base);
  }

  @Test
  void gradientMatchesCentralDifferences() {
    SplittableRandom rnd = new SplittableRandom(3);
    double[][] z = new double[8][5];
    for (double[] row : z) {
      for (int j = 0; j < row.length; j++) {
        row[j] = rnd.nextGaussian();
      }
    }
    double[][] g = NtXent.evaluate(z, 0.5).gradient();
    double eps = 1e-6;
    for (int i = 0; i < z.length; i++) {
      for (int j = 0; j < z[i].length; j++) {
        double keep = z[i][j];
        z[i][j] = keep + eps;
        double plus = NtXent.evaluate(z, 0.5).loss();
        z[i][j] = keep - eps;
        double minus = NtXent.evaluate(z, 0.5).loss();
        z[i][j] = keep;
        assertThat(g[i][j])
            .as("dL/dz[%d][%d]", i, j)
            .isCloseTo((plus - minus) / (2 * eps), within(1e-8));
      }
    }
  }

  @Test
  void simClrModelGradientMatchesCentralDifferences() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    SimClrModel model =
        new SimClrModel(Backbones.build(spec, 4, DataType.DOUBLE), 0.5, 9, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(3);
    INDArray views = Nd4j.randn(DataType.DOUBLE, 2 * 3, 3, 16, 16);
    Batch batch = new Batch(views, new int[] {0, 1, 2}, null);
    assertThat(ModelGradientCheck.check(model, batch, 90)).isGreaterThan(60);
  }
}

package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.relreason.model.train.Adam;

/**
 * The fine-tuning schedule and the two-group Adam on the flat vector, against hand computations.
 */
class FineTuneTest {

  @Test
  void ratesDropTenfoldAtHalfAndThreeQuartersOfTheEpochs() {
    FineTuneConfig hundred = FineTuneConfig.PAPER;
    assertThat(hundred.rateFactor(0)).isEqualTo(1.0);
    assertThat(hundred.rateFactor(49)).isEqualTo(1.0);
    assertThat(hundred.rateFactor(50)).isCloseTo(0.1, within(1e-15));
    assertThat(hundred.rateFactor(74)).isCloseTo(0.1, within(1e-15));
    assertThat(hundred.rateFactor(75)).isCloseTo(0.01, within(1e-15));
    assertThat(hundred.rateFactor(99)).isCloseTo(0.01, within(1e-15));
    FineTuneConfig eight = hundred.withEpochs(8);
    double[] want = {1, 1, 1, 1, 0.1, 0.1, 0.01, 0.01};
    for (int e = 0; e < 8; e++) {
      assertThat(eight.rateFactor(e)).as("epoch " + e).isCloseTo(want[e], within(1e-15));
    }
    // one epoch: both milestones would fall on epoch 0 and are skipped
    assertThat(hundred.withEpochs(1).rateFactor(0)).isEqualTo(1.0);
  }

  @Test
  void twoStepsOfTheFlatVectorEqualAHandComputation() {
    // positions 0..2 backbone (1 is a batch-norm statistic), 3..4 head
    FineTuneConfig cfg = new FineTuneConfig(4, 8, 1e-3, 1e-4, 1e-5, 0);
    boolean[] mask = {false, true, false, false, false};
    Adam adam =
        Adam.forFineTuning(
            5, 3, mask, cfg.backboneLearningRate(), cfg.headLearningRate(), cfg.weightDecay());
    float[] p = {0.5f, 2.0f, -1.0f, 0.25f, 3.0f};
    float[] g1 = {0.1f, 0.2f, -0.3f, 0.02f, -1.5f};
    float[] g2 = {-0.05f, -0.1f, 0.4f, 0.01f, 0.5f};
    double[] hp = {0.5, 2.0, -1.0, 0.25, 3.0};
    double[] lr = {1e-3, 0, 1e-3, 1e-4, 1e-4};
    double wd = 1e-5;

    adam.setRateFactor(1.0);
    adam.step(p, g1);
    double[] m = new double[5];
    double[] v = new double[5];
    double[] gd1 = new double[5];
    for (int i = 0; i < 5; i++) {
      if (mask[i]) {
        hp[i] -= g1[i];
        continue;
      }
      gd1[i] = g1[i] + wd * hp[i];
      m[i] = 0.1 * gd1[i];
      v[i] = 0.001 * gd1[i] * gd1[i];
      // step 1: m̂ = g, v̂ = g², so the step is lr · g / (|g| + ε)
      hp[i] -= lr[i] * (m[i] / 0.1) / (Math.sqrt(v[i] / 0.001) + 1e-8);
    }
    for (int i = 0; i < 5; i++) {
      assertThat((double) p[i]).as("step 1, position " + i).isCloseTo(hp[i], within(1e-6));
    }
    assertThat((double) p[0]).isCloseTo(0.5 - 1e-3, within(1e-6));
    assertThat((double) p[1]).isCloseTo(1.8, within(1e-6));

    adam.setRateFactor(0.1); // as at the 50% milestone
    adam.step(p, g2);
    for (int i = 0; i < 5; i++) {
      if (mask[i]) {
        hp[i] -= g2[i];
        continue;
      }
      double g = g2[i] + wd * hp[i];
      m[i] = 0.9 * m[i] + 0.1 * g;
      v[i] = 0.999 * v[i] + 0.001 * g * g;
      double mHat = m[i] / (1 - 0.9 * 0.9);
      double vHat = v[i] / (1 - 0.999 * 0.999);
      hp[i] -= 0.1 * lr[i] * mHat / (Math.sqrt(vHat) + 1e-8);
    }
    for (int i = 0; i < 5; i++) {
      assertThat((double) p[i]).as("step 2, position " + i).isCloseTo(hp[i], within(1e-6));
    }
    assertThat(adam.steps()).isEqualTo(2);
    assertThat(adam.rate(0)).isCloseTo(1e-4, within(1e-18));
    assertThat(adam.rate(4)).isCloseTo(1e-5, within(1e-18));
  }

  @Test
  void weightDecayPullsAParameterWithoutGradientTowardZero() {
    FineTuneConfig cfg = new FineTuneConfig(1, 2, 1e-3, 1e-3, 1e-2, 0);
    Adam adam =
        Adam.forFineTuning(
            2,
            1,
            new boolean[2],
            cfg.backboneLearningRate(),
            cfg.headLearningRate(),
            cfg.weightDecay());
    float[] p = {1f, -1f};
    adam.step(p, new float[2]);
    // g = λ p: Adam's first step moves by lr against its sign
    assertThat((double) p[0]).isCloseTo(1 - 1e-3, within(1e-6));
    assertThat((double) p[1]).isCloseTo(-1 + 1e-3, within(1e-6));
  }

  @Test
  void headGradientsMatchFiniteDifferences() {
    int nb = 3; // a stand-in backbone block in front of the head
    int d = 4;
    int c = 3;
    int b = 5;
    java.util.Random r = new java.util.Random(11);
    float[] flat = new float[nb + c * d + c];
    for (int i = 0; i < flat.length; i++) {
      flat[i] = (float) r.nextGaussian();
    }
    float[] f = new float[b * d];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) r.nextGaussian();
    }
    int[] y = {0, 2, 1, 2, 0};
    float[] grad = new float[flat.length];
    float[] dF = new float[b * d];
    FineTuner.headBackward(flat, nb, d, c, f, y, grad, dF);
    float[] g2 = new float[flat.length];
    float[] dF2 = new float[b * d];
    double h = 1e-2;
    for (int i = nb; i < flat.length; i++) {
      float keep = flat[i];
      flat[i] = (float) (keep + h);
      double up = FineTuner.headBackward(flat, nb, d, c, f, y, g2, dF2);
      flat[i] = (float) (keep - h);
      double down = FineTuner.headBackward(flat, nb, d, c, f, y, g2, dF2);
      flat[i] = keep;
      assertThat((double) grad[i]).as("head " + i).isCloseTo((up - down) / (2 * h), within(2e-4));
    }
    for (int i = 0; i < f.length; i++) {
      float keep = f[i];
      f[i] = (float) (keep + h);
      double up = FineTuner.headBackward(flat, nb, d, c, f, y, g2, dF2);
      f[i] = (float) (keep - h);
      double down = FineTuner.headBackward(flat, nb, d, c, f, y, g2, dF2);
      f[i] = keep;
      assertThat((double) dF[i]).as("feature " + i).isCloseTo((up - down) / (2 * h), within(2e-4));
    }
    // the backbone block is the backbone's business: left as it was
    assertThat(grad[0]).isZero();
  }
}

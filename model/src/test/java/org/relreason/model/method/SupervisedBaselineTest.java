package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
import org.relreason.model.train.Sgd;

/** The supervised baseline: cross-entropy, SGD with momentum and its step schedule, by hand. */
class SupervisedBaselineTest {

  @Test
  void crossEntropyIsMinusLogSoftmaxOfTheLabel() {
    double[][] logits = {{1, 2, 0}, {0.5, -1, 3}};
    SoftmaxCrossEntropy.Result r = SoftmaxCrossEntropy.evaluate(logits, new int[] {1, 0}, null);
    double l0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(0)) - 2;
    double l1 = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(3)) - 0.5;
    assertThat(r.loss()).isCloseTo((l0 + l1) / 2, within(1e-12));
    assertThat(r.correct()).isEqualTo(1);
    // dL/dx = (softmax − onehot) / N
    double z0 = Math.exp(1) + Math.exp(2) + 1;
    assertThat(r.gradient()[0][1]).isCloseTo((Math.exp(2) / z0 - 1) / 2, within(1e-12));
    assertThat(r.gradient()[0][2]).isCloseTo((1 / z0) / 2, within(1e-12));
    // with class weights: PyTorch's weighted mean Σ w_y l / Σ w_y
    SoftmaxCrossEntropy.Result w =
        SoftmaxCrossEntropy.evaluate(logits, new int[] {1, 0}, new double[] {3, 1, 5});
    assertThat(w.loss()).isCloseTo((1 * l0 + 3 * l1) / 4, within(1e-12));
  }

  @Test
  void learningRateDropsTenfoldAtHalfAndThreeQuartersOfTheSteps() {
    Sgd sgd = Sgd.paperSupervised(1, 8, new boolean[1]);
    double[] expected = {0.1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.001, 0.001};
    for (int t = 0; t < 8; t++) {
      assertThat(sgd.learningRateAt(t)).as("step %d", t).isCloseTo(expected[t], within(1e-15));
    }
  }

  @Test
  void sgdStepsWithMomentumAndAppliesStatisticDeltasRaw() {
    Sgd sgd = Sgd.paperSupervised(3, 100, new boolean[] {false, false, true});
    float[] p = {1, 2, 3};
    float[] g = {0.5f, -1, 0.2f};
    sgd.step(p, g);
    // b = g; p −= 0.1 b; the statistic takes p −= g
    assertThat(p[0]).isCloseTo(0.95f, within(1e-6f));
    assertThat(p[1]).isCloseTo(2.1f, within(1e-6f));
    assertThat(p[2]).isCloseTo(2.8f, within(1e-6f));
    sgd.step(p, g);
    // b = 0.9 g + g = 1.9 g
    assertThat(p[0]).isCloseTo(0.95f - 0.1f * 0.95f, within(1e-6f));
    assertThat(p[1]).isCloseTo(2.1f + 0.19f, within(1e-6f));
    assertThat(p[2]).isCloseTo(2.6f, within(1e-6f));
    // the state round-trips through a checkpoint
    Sgd other = Sgd.paperSupervised(3, 100, new boolean[] {false, false, true});
    other.restore(sgd.state());
    float[] q = p.clone();
    sgd.step(p, g);
    other.step(q, g);
    assertThat(q).containsExactly(p);
  }

  @Test
  @ExtendWith(DoublePrecision.class)
  void supervisedModelGradientMatchesCentralDifferences() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    SupervisedModel model =
        new SupervisedModel(Backbones.build(spec, 4, DataType.DOUBLE), 5, 9, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(7);
    INDArray views = Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16);
    Batch batch = new Batch(views, new int[] {10, 11, 12, 13}, new int[] {4, 0, 4, 2});
    assertThat(ModelGradientCheck.check(model, batch, 90)).isGreaterThan(60);
  }
}

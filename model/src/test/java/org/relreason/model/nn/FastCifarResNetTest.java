package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relreason.model.nn.FastConv4BackboneTest.assertClose;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.KeepsDataTypes;
import org.relreason.model.nn.fast.FastResNet;

/**
 * The fast CIFAR ResNet ({@link FastResNet}, from {@link Backbones#buildFast}) against the
 * Deeplearning4j graph of {@link CifarResNet} on the same flat parameters (random running
 * statistics) and inputs: features in training and inference mode and the whole flat gradient,
 * including the batch-norm statistic deltas, to rounding in double; the parameter layout is the
 * graph's, so the same vector means the same network.
 */
@ExtendWith(KeepsDataTypes.class)
class FastCifarResNetTest {
  @ParameterizedTest
  @EnumSource(
      value = BackboneKind.class,
      names = {"RESNET8", "RESNET32"})
  void doubleMatchesDl4jGraphToRounding(BackboneKind kind) {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    BackboneSpec spec = new BackboneSpec(kind, 0.5, 3, 16, 16);
    Backbone fast = Backbones.buildFast(spec, 42, DataType.DOUBLE);
    GraphBackbone ref = (GraphBackbone) Backbones.build(spec, 42, DataType.DOUBLE);
    assertThat(fast).isInstanceOf(FastResNet.class);
    assertThat(fast.params().equals(ref.params().reshape(fast.params().shape()))).isTrue();
    randomiseStatistics(ref);
    fast.params().assign(ref.params());
    assertThat(fast.statisticsMask()).isEqualTo(ref.statisticsMask());
    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16).muli(2).addi(0.5);
    assertClose("training features", fast.forward(x, true), ref.forward(x, true), 1e-10);
    INDArray r = Nd4j.randn(DataType.DOUBLE, 4, ref.featureSize());
    fast.backward(r);
    ref.backward(r);
    double[] g = fast.gradients().toDoubleVector();
    double[] want = ref.gradients().toDoubleVector();
    boolean[] mask = ref.statisticsMask();
    for (int i = 0; i < want.length; i++) {
      assertThat(Math.abs(g[i] - want[i]))
          .as("gradient[%d] of %d (statistic %s)", i, want.length, mask[i])
          .isLessThan(1e-10 * Math.max(1, Math.abs(want[i])));
    }
    assertClose("inference features", fast.forward(x, false), ref.forward(x, false), 1e-10);
  }

  @Test
  void floatMatchesDl4jResNet8AndSurvivesBind() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.RESNET8, 1.0, 3, 32, 32);
    Backbone fast = Backbones.buildFast(spec, 7, DataType.FLOAT);
    GraphBackbone ref = (GraphBackbone) Backbones.build(spec, 7, DataType.FLOAT);
    randomiseStatistics(ref);
    INDArray big = Nd4j.create(DataType.FLOAT, 1, fast.numParams() + 10);
    INDArray view =
        big.get(
            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 5 + fast.numParams()));
    fast.bind(view);
    view.assign(ref.params().reshape(view.shape()));
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.randn(DataType.FLOAT, 8, 3, 32, 32);
    assertClose("training features", fast.forward(x, true), ref.forward(x, true), 1e-4);
    INDArray r = Nd4j.randn(DataType.FLOAT, 8, 64);
    fast.backward(r);
    ref.backward(r);
    assertClose("flat gradient", fast.gradients(), ref.gradients(), 1e-4);
    assertClose("inference features", fast.forward(x, false), ref.forward(x, false), 1e-4);
  }

  /** Running statistics away from their initial values, so that inference mode is tested. */
  private static void randomiseStatistics(GraphBackbone ref) {
    Nd4j.getRandom().setSeed(17);
    boolean[] mask = ref.statisticsMask();
    INDArray params = ref.params();
    INDArray noise = Nd4j.rand(params.dataType(), params.shape()).subi(0.5);
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        params.putScalar(i, noise.getDouble(i));
      }
    }
  }
}

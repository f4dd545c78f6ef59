package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.KeepsDataTypes;
import org.relreason.model.nn.fast.FastConv4Backbone;
import org.relreason.model.nn.fast.FastConv4Backbone.Layout;

/**
 * The fast Conv-4 against the Deeplearning4j Conv-4 ({@link GraphBackbone}) on the same flat
 * parameters and inputs: features in training and inference mode, the whole flat gradient
 * (including the batch-norm statistic deltas), for every internal layout.
 */
@ExtendWith(KeepsDataTypes.class)
class FastConv4BackboneTest {
  @ParameterizedTest
  @EnumSource(Layout.class)
  void floatMatchesDl4jConv4(Layout layout) {
    Pair p = pair(new BackboneSpec(BackboneKind.CONV4, 1.0, 3, 32, 32), DataType.FLOAT, layout);
    INDArray x = Nd4j.randn(DataType.FLOAT, 16, 3, 32, 32).muli(1.5).addi(0.2);
    assertClose("inference features", p.fast.forward(x, false), p.ref.forward(x, false), 1e-4);
    assertClose("training features", p.fast.forward(x, true), p.ref.forward(x, true), 1e-4);
    INDArray r = Nd4j.randn(DataType.FLOAT, 16, 64);
    p.fast.backward(r);
    p.ref.backward(r);
    assertClose("flat gradient", p.fast.gradients(), p.ref.gradients(), 1e-4);
    assertThat(p.fast.statisticsMask()).isEqualTo(p.ref.statisticsMask());
  }

  @ParameterizedTest
  @EnumSource(Layout.class)
  void doubleMatchesDl4jConv4ToRoundingIncludingStatisticDeltas(Layout layout) {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    Pair p = pair(new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16), DataType.DOUBLE, layout);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16).muli(2).addi(0.5);
    assertClose("training features", p.fast.forward(x, true), p.ref.forward(x, true), 1e-10);
    INDArray r = Nd4j.randn(DataType.DOUBLE, 4, p.ref.featureSize());
    p.fast.backward(r);
    p.ref.backward(r);
    boolean[] mask = p.ref.statisticsMask();
    assertThat(p.fast.statisticsMask()).isEqualTo(mask);
    double[] g = p.fast.gradients().toDoubleVector();
    double[] want = p.ref.gradients().toDoubleVector();
    int stats = 0;
    for (int i = 0; i < mask.length; i++) {
      double tol = 1e-10 * Math.max(1, Math.abs(want[i]));
      assertThat(Math.abs(g[i] - want[i]))
          .as("gradient[%d] (statistic %s)", i, mask[i])
          .isLessThan(tol);
      stats += mask[i] ? 1 : 0;
    }
    assertThat(stats).isEqualTo(2 * (4 + 8 + 16 + 32));
    assertClose("inference features", p.fast.forward(x, false), p.ref.forward(x, false), 1e-10);
  }

  @Test
  void nativeBatchNormBackwardInNhwcMatchesToo() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 1.0, 3, 32, 32);
    Pair p = pair(spec, DataType.FLOAT, Layout.NHWC_HWIO);
    FastConv4Backbone nativeBn =
        new FastConv4Backbone(3, 32, 32, 1.0, DataType.FLOAT, Layout.NHWC_HWIO, false);
    nativeBn.params().assign(p.ref.params());
    INDArray x = Nd4j.randn(DataType.FLOAT, 8, 3, 32, 32);
    INDArray r = Nd4j.randn(DataType.FLOAT, 8, 64);
    nativeBn.forward(x, true);
    nativeBn.backward(r);
    p.ref.forward(x, true);
    p.ref.backward(r);
    assertClose("flat gradient", nativeBn.gradients(), p.ref.gradients(), 1e-4);
  }

  @Test
  void bindMovesParametersIntoAView() {
    Backbone fast =
        Backbones.buildFast(
            new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16), 3, DataType.FLOAT);
    INDArray before = fast.params().dup();
    INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 16, 16);
    INDArray y = fast.forward(x, false);
    INDArray big = Nd4j.create(DataType.FLOAT, 1, fast.numParams() + 10);
    INDArray view =
        big.get(
            org.nd4j.linalg.indexing.NDArrayIndex.point(0),
            org.nd4j.linalg.indexing.NDArrayIndex.interval(5, 5 + fast.numParams()));
    fast.bind(view);
    assertThat(view.equals(before.reshape(view.shape()))).isTrue();
    assertClose("features after bind", fast.forward(x, false), y, 1e-6);
    view.muli(0.5);
    assertThat(fast.forward(x, false).equalsWithEps(y, 1e-3)).isFalse();
  }

  record Pair(Backbone fast, GraphBackbone ref) {}

  /** A DL4J Conv-4 with non-trivial running statistics and a fast one on the same parameters. */
  static Pair pair(BackboneSpec spec, DataType dtype, Layout layout) {
    GraphBackbone ref = (GraphBackbone) Backbones.build(spec, 42, dtype);
    Nd4j.getRandom().setSeed(17);
    boolean[] mask = ref.statisticsMask();
    INDArray params = ref.params();
    INDArray noise = Nd4j.rand(dtype, params.shape()).subi(0.5);
    for (int i = 0; i < mask.length; i++) {
      if (mask[i]) {
        params.putScalar(i, noise.getDouble(i));
      }
    }
    FastConv4Backbone fast =
        new FastConv4Backbone(
            spec.channels(), spec.height(), spec.widthPx(), spec.width(), dtype, layout);
    assertThat(fast.numParams()).isEqualTo(ref.numParams());
    fast.params().assign(params);
    return new Pair(fast, ref);
  }

  /** {@code max|a - b| <= rel * max|b|} (a relative error on the array's scale). */
  static void assertClose(String what, INDArray actual, INDArray expected, double rel) {
    double scale = Math.max(expected.amaxNumber().doubleValue(), 1e-30);
    double diff = actual.castTo(expected.dataType()).sub(expected).amaxNumber().doubleValue();
    assertThat(diff / scale)
        .as("%s: max abs diff %.3e on scale %.3e", what, diff, scale)
        .isLessThan(rel);
  }
}

package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.nn.fast.FastConv4Backbone;
import org.relreason.model.nn.fast.FastConv4Backbone.Layout;

/**
 * The fast Conv-4 as a {@link LocalFeatureBackbone}: its local map b is the Deeplearning4j Conv-4's
 * b-th ReLU output (channels last), and a gradient on any of the four maps back-propagates the same
 * in both activation layouts, fused or not, and as the finite differences of {@code L = Σ
 * features·R + Σ map·Q}.
 */
@ExtendWith(DoublePrecision.class)
class FastConv4LocalFeaturesTest {
  private static final BackboneSpec SPEC = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 8, 8);

  private static FastConv4Backbone fast(Layout layout) {
    FastConv4Backbone b = new FastConv4Backbone(3, 8, 8, 0.5, DataType.DOUBLE, layout);
    b.params().assign(Backbones.build(SPEC, 42, DataType.DOUBLE).params());
    return b;
  }

  @Test
  void localMapIsTheFirstBlocksReluOutputBeforePooling() {
    GraphBackbone reference = (GraphBackbone) Backbones.build(SPEC, 42, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(1);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 3, 8, 8);
    Map<String, INDArray> acts = reference.graph().feedForward(new INDArray[] {x}, true, false);
    INDArray expected = acts.get("block1_relu").permute(0, 2, 3, 1); // NCHW → NHWC
    for (Layout layout : new Layout[] {Layout.NHWC_OIHW, Layout.NCHW_OIHW}) {
      FastConv4Backbone b = fast(layout);
      assertThatThrownBy(() -> b.localFeatures(1)).isInstanceOf(IllegalStateException.class);
      b.forward(x, true);
      INDArray local = b.localFeatures(1);
      assertThat(local.shape()).containsExactly(3, 8, 8, 4);
      assertThat(b.localChannels(1)).isEqualTo(4);
      assertThat(local.equalsWithEps(expected, 1e-10)).as(layout.name()).isTrue();
      // the later maps: block b's ReLU output at 8 / 2^(b-1), 4·2^(b-1) channels at width 0.5
      for (int block = 2; block <= 4; block++) {
        INDArray ref = acts.get("block" + block + "_relu").permute(0, 2, 3, 1);
        INDArray map = b.localFeatures(block);
        int side = 8 >> (block - 1);
        assertThat(map.shape()).containsExactly(3, side, side, 4 << (block - 1));
        assertThat(b.localChannels(block)).isEqualTo(4 << (block - 1));
        assertThat(map.equalsWithEps(ref, 1e-10)).as(layout.name() + " map " + block).isTrue();
      }
      assertThatThrownBy(() -> b.localFeatures(5)).hasMessageContaining("1..4");
      assertThatThrownBy(() -> b.localFeatures(0)).hasMessageContaining("1..4");
    }
  }

  /**
   * In float, the Java batch norm of {@code FusedBnRelu} (the one-thread default) takes the map's
   * gradient too: the same local map and the same gradient, with the map's term, as libnd4j's ops.
   */
  @Test
  void fusedBatchNormTakesTheMapAndItsGradientInFloat() {
    Nd4j.getRandom().setSeed(4);
    INDArray x = Nd4j.randn(DataType.FLOAT, 2, 3, 8, 8);
    INDArray r = Nd4j.randn(DataType.FLOAT, 2, 32);
    for (int block = 1; block <= 4; block++) {
      int side = 8 >> (block - 1);
      INDArray q = Nd4j.randn(DataType.FLOAT, 2, side, side, 4 << (block - 1));
      INDArray[] fused = floatStep(true, x, r, block, q);
      INDArray[] ops = floatStep(false, x, r, block, q);
      assertThat(fused[0].equalsWithEps(ops[0], 1e-5)).as("local map %d", block).isTrue();
      double scale = ops[1].amaxNumber().doubleValue();
      double diff = fused[1].sub(ops[1]).amaxNumber().doubleValue();
      assertThat(diff / scale)
          .as("gradient with map %d, max diff %s of %s", block, diff, scale)
          .isLessThan(1e-5);
    }
  }

  /** The local map and the flat gradient of one float training step, fused or not. */
  private static INDArray[] floatStep(
      boolean fused, INDArray x, INDArray r, int block, INDArray q) {
    String saved = System.getProperty("relreason.fusedBn");
    System.setProperty("relreason.fusedBn", String.valueOf(fused));
    try {
      FastConv4Backbone b = new FastConv4Backbone(3, 8, 8, 0.5, DataType.FLOAT, Layout.NHWC_OIHW);
      b.params().assign(Backbones.build(SPEC, 42, DataType.FLOAT).params());
      b.forward(x, true);
      INDArray local = b.localFeatures(block);
      b.backward(r, block, q);
      return new INDArray[] {local, b.gradients().dup()};
    } finally {
      if (saved == null) {
        System.clearProperty("relreason.fusedBn");
      } else {
        System.setProperty("relreason.fusedBn", saved);
      }
    }
  }

  @Test
  void gradientOnTheMapMatchesFiniteDifferencesInBothLayouts() {
    for (int block = 1; block <= 4; block++) {
      checkMapGradient(block);
    }
  }

  private static void checkMapGradient(int block) {
    Nd4j.getRandom().setSeed(2);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 2, 3, 8, 8);
    INDArray r = Nd4j.randn(DataType.DOUBLE, 2, 32);
    int side = 8 >> (block - 1);
    int channels = 4 << (block - 1);
    INDArray q = Nd4j.randn(DataType.DOUBLE, 2, side, side, channels);
    double[] nhwc = gradient(fast(Layout.NHWC_OIHW), x, r, block, q);
    double[] nchw = gradient(fast(Layout.NCHW_OIHW), x, r, block, q);
    // the layouts' batch-norm backwards differ in round-off (about 2e-7 on gradients up to 22 here,
    // with or without the map's term)
    assertThat(Nd4j.createFromArray(nchw).equalsWithEps(Nd4j.createFromArray(nhwc), 1e-6))
        .as("map %d", block)
        .isTrue();
    FastConv4Backbone b = fast(Layout.NHWC_OIHW);
    boolean[] stats = b.statisticsMask();
    INDArray params = b.params();
    double eps = 1e-6;
    int checked = 0;
    // the first block's conv weights (108 values) and a few of every later trainable value
    for (int i = 0; i < nhwc.length; i += i < 108 ? 7 : 97) {
      if (stats[i]) {
        continue;
      }
      double p = params.getDouble(i);
      params.putScalar(i, p + eps);
      double plus = loss(b, x, r, block, q);
      params.putScalar(i, p - eps);
      double minus = loss(b, x, r, block, q);
      params.putScalar(i, p);
      double numeric = (plus - minus) / (2 * eps);
      double diff = Math.abs(numeric - nhwc[i]);
      if (diff > 1e-9) {
        assertThat(diff / Math.max(Math.abs(numeric), Math.abs(nhwc[i])))
            .as("map %d, param %d: analytic %.10g numeric %.10g", block, i, nhwc[i], numeric)
            .isLessThan(1e-5);
      }
      checked++;
    }
    assertThat(checked).isGreaterThan(30);
    // without the map's gradient the result differs: the map's term is really back-propagated
    b.forward(x, true);
    b.backward(r);
    assertThat(b.gradients().toDoubleVector()).isNotEqualTo(nhwc);
    b.forward(x, true);
    assertThatThrownBy(() -> b.backward(r, block, Nd4j.zeros(DataType.DOUBLE, 2, side, side, 3)))
        .hasMessageContaining("local gradient of shape [2, " + side + ", " + side + ", 3]");
  }

  private static double[] gradient(
      FastConv4Backbone b, INDArray x, INDArray r, int block, INDArray q) {
    b.forward(x, true);
    b.backward(r, block, q);
    return b.gradients().toDoubleVector();
  }

  private static double loss(FastConv4Backbone b, INDArray x, INDArray r, int block, INDArray q) {
    INDArray f = b.forward(x, true);
    return f.mul(r).sumNumber().doubleValue()
        + b.localFeatures(block).mul(q).sumNumber().doubleValue();
  }
}

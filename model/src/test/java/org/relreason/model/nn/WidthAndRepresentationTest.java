package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.relreason.model.KeepsDataTypes;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.RelationalModel;

/**
 * The width factor k multiplies every layer's channels by k (parameter counts by formula, for the
 * DL4J graphs and the fast backbones alike), and the representation-size layer has the stated
 * shape, forward and gradient.
 */
@ExtendWith(KeepsDataTypes.class)
class WidthAndRepresentationTest {
  /** A DL4J batch-norm layer holds gamma, beta, running mean and log10 std per channel. */
  private static final int BN = 4;

  private static long conv(int k, int in, int out) {
    return (long) k * k * in * out;
  }

  /** Conv-4: four conv3x3 (no bias) + BN, channels 8, 16, 32, 64 times k. */
  static long conv4Params(int channels, int k) {
    int[] c = {channels, 8 * k, 16 * k, 32 * k, 64 * k};
    long n = 0;
    for (int b = 1; b <= 4; b++) {
      n += conv(3, c[b - 1], c[b]) + BN * c[b];
    }
    return n;
  }

  /** A basic block: two conv3x3 + BN, and a conv1x1 + BN shortcut when the shape changes. */
  private static long basicBlock(int in, int out, int stride) {
    long n = conv(3, in, out) + BN * out + conv(3, out, out) + BN * out;
    if (stride != 1 || in != out) {
      n += conv(1, in, out) + BN * out;
    }
    return n;
  }

  /** CIFAR ResNet: stem conv3x3 16k + BN, three stages of 16k, 32k, 64k, strides 1, 2, 2. */
  static long cifarResNetParams(int channels, int k, int blocksPerStage) {
    int[] widths = {16 * k, 32 * k, 64 * k};
    int[] strides = {1, 2, 2};
    long n = conv(3, channels, widths[0]) + BN * widths[0];
    int in = widths[0];
    for (int s = 0; s < 3; s++) {
      for (int b = 0; b < blocksPerStage; b++) {
        n += basicBlock(in, widths[s], b == 0 ? strides[s] : 1);
        in = widths[s];
      }
    }
    return n;
  }

  /** ResNet-34: stem conv7x7 64w + BN, stages [3, 4, 6, 3] of 64w..512w, strides 1, 2, 2, 2. */
  static long resNet34Params(int channels, double w) {
    int[] widths = {scaled(64, w), scaled(128, w), scaled(256, w), scaled(512, w)};
    int[] blocks = {3, 4, 6, 3};
    int[] strides = {1, 2, 2, 2};
    long n = conv(7, channels, widths[0]) + BN * widths[0];
    int in = widths[0];
    for (int s = 0; s < 4; s++) {
      for (int b = 0; b < blocks[s]; b++) {
        n += basicBlock(in, widths[s], b == 0 ? strides[s] : 1);
        in = widths[s];
      }
    }
    return n;
  }

  private static int scaled(int base, double w) {
    return (int) Math.round(base * w);
  }

  @ParameterizedTest
  @CsvSource({"1, 1", "1, 2", "1, 4", "3, 1", "3, 2", "3, 4"})
  void conv4WidthMultipliesEveryLayer(int channels, int k) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, k, channels, 28, 28);
    long want = conv4Params(channels, k);
    // by hand for k = 1, one channel: 9 (1*8 + 8*16 + 16*32 + 32*64) + 4 (8 + 16 + 32 + 64)
    assertThat(conv4Params(1, 1)).isEqualTo(24_744);
    assertThat(Backbones.build(spec, 1, DataType.FLOAT).numParams()).isEqualTo(want);
    Backbone fast = Backbones.buildFast(spec, 1, DataType.FLOAT);
    assertThat(fast.numParams()).isEqualTo(want);
    assertThat(fast.featureSize()).isEqualTo(64 * k);
  }

  @ParameterizedTest
  @CsvSource({
    "resnet8, 1, 1",
    "resnet8, 2, 1",
    "resnet8, 4, 1",
    "resnet32, 1, 5",
    "resnet32, 2, 5",
    "resnet32, 4, 5",
    "resnet56, 2, 9"
  })
  void cifarResNetWidthMultipliesEveryLayer(String kind, int k, int blocks) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.parse(kind), k, 3, 32, 32);
    long want = cifarResNetParams(3, k, blocks);
    assertThat(Backbones.build(spec, 1, DataType.FLOAT).numParams()).isEqualTo(want);
    Backbone fast = Backbones.buildFast(spec, 1, DataType.FLOAT);
    assertThat(fast.numParams()).isEqualTo(want);
    assertThat(fast.featureSize()).isEqualTo(64 * k);
  }

  /** ResNet-34 at k = 2 and 4 has 85M and 340M parameters: too big to build in a unit test. */
  @ParameterizedTest
  @CsvSource({"0.25", "0.5", "1"})
  void resNet34WidthMultipliesEveryLayer(double w) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.RESNET34, w, 3, 96, 96);
    Backbone b = Backbones.buildFast(spec, 1, DataType.FLOAT);
    assertThat(b.numParams()).isEqualTo(resNet34Params(3, w));
    assertThat(b.featureSize()).isEqualTo(scaled(512, w));
  }

  @Test
  void representationLayerHasTheStatedShapeAndComputesHWPlusB() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 2, 1, 28, 28);
    Backbone plain = Backbones.buildFast(spec, 3, DataType.FLOAT);
    RepresentationBackbone r =
        (RepresentationBackbone) Backbones.buildFast(spec, 48, 3, DataType.FLOAT);

    assertThat(r.featureSize()).isEqualTo(48);
    assertThat(r.weights().shape()).containsExactly(128L, 48L);
    assertThat(r.bias().shape()).containsExactly(1L, 48L);
    assertThat(r.numParams()).isEqualTo(plain.numParams() + 128 * 48 + 48);
    // the backbone's own weights are those of the plain build, the layer is nn.Linear's init
    assertThat(r.inner().params()).isEqualTo(plain.params());
    double bound = 1 / Math.sqrt(128);
    assertThat(Transforms.abs(r.weights()).maxNumber().doubleValue()).isLessThanOrEqualTo(bound);
    assertThat(r.weights().stdNumber().doubleValue()).isGreaterThan(bound / 3);
    boolean[] mask = r.statisticsMask();
    assertThat(mask).hasSize((int) r.numParams());
    for (long i = plain.numParams(); i < r.numParams(); i++) {
      assertThat(mask[(int) i]).isFalse();
    }

    INDArray x = Nd4j.randn(DataType.FLOAT, 5, 1, 28, 28);
    INDArray h = plain.forward(x, false);
    INDArray z = r.forward(x, false);
    assertThat(z.shape()).containsExactly(5L, 48L);
    for (int n = 0; n < 5; n++) {
      for (int j = 0; j < 48; j += 7) {
        double want = r.bias().getDouble(0, j);
        for (int i = 0; i < 128; i++) {
          want += h.getDouble(n, i) * r.weights().getDouble(i, j);
        }
        assertThat(z.getDouble(n, j)).isCloseTo(want, org.assertj.core.api.Assertions.within(1e-4));
      }
    }
  }

  @Test
  void representationGradientMatchesCentralDifferences() {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 1, 16, 16);
    RepresentationBackbone r =
        new RepresentationBackbone(Backbones.build(spec, 4, DataType.DOUBLE), 6, 9);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 3, 1, 16, 16);
    INDArray g = Nd4j.randn(DataType.DOUBLE, 3, 6);
    r.forward(x, true);
    r.backward(g);
    double[] analytic = r.gradients().toDoubleVector();
    boolean[] stats = r.statisticsMask();
    INDArray p = r.params();
    SplittableRandom rng = new SplittableRandom(1);
    long inner = r.inner().numParams();
    int checked = 0;
    for (int t = 0; t < 80; t++) {
      // half in the representation layer, half in the backbone (its gradient flows through W^T)
      long i = t % 2 == 0 ? inner + rng.nextLong(r.numParams() - inner) : rng.nextLong(inner);
      if (stats[(int) i]) {
        continue;
      }
      double v = p.getDouble(0, i);
      p.putScalar(0, i, v + 1e-6);
      double up = r.forward(x, true).mul(g).sumNumber().doubleValue();
      p.putScalar(0, i, v - 1e-6);
      double down = r.forward(x, true).mul(g).sumNumber().doubleValue();
      p.putScalar(0, i, v);
      double numeric = (up - down) / 2e-6;
      assertThat(analytic[(int) i])
          .as("dL/dp[%d]", i)
          .isCloseTo(
              numeric, org.assertj.core.api.Assertions.within(1e-6 + 1e-5 * Math.abs(numeric)));
      checked++;
    }
    assertThat(checked).isGreaterThan(60);
  }

  @Test
  void bindingMovesEveryPartIntoTheOwnersVector() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 1, 1, 28, 28);
    Backbone r = Backbones.buildFast(spec, 16, 2, DataType.FLOAT);
    INDArray x = Nd4j.randn(DataType.FLOAT, 4, 1, 28, 28);
    INDArray before = r.forward(x, false).dup();
    INDArray owner = Nd4j.create(DataType.FLOAT, 1, r.numParams() + 10);
    INDArray view =
        owner.get(NDArrayIndex.interval(0, 1), NDArrayIndex.interval(5, 5 + r.numParams()));

    r.bind(view);

    assertThat(r.forward(x, false)).isEqualTo(before);
    // the last value is a bias of the representation layer: writing the owner moves the output
    owner.putScalar(0, 5 + r.numParams() - 1, owner.getDouble(0, 5 + r.numParams() - 1) + 1);
    INDArray after = r.forward(x, false);
    assertThat(after.getDouble(0, 15) - before.getDouble(0, 15))
        .isCloseTo(1, org.assertj.core.api.Assertions.within(1e-5));
    assertThat(after.getDouble(0, 14)).isEqualTo(before.getDouble(0, 14));
  }

  @Test
  void theConfigCarriesTheSizeIntoTheModelAndItsCheckpointMap() {
    TrainConfig c = TrainConfig.of(Map.of("representation-size", "24", "width", "2"));
    RelationalModel m = RelationalModel.fromConfig(c, 1, 28, 28);
    assertThat(m.backbone().featureSize()).isEqualTo(24);
    assertThat(c.asMap()).containsEntry("representation-size", "24").containsEntry("width", "2.0");
    assertThat(c.modelDefiningKeys()).containsEntry("representation-size", "24");
    assertThat(TrainConfig.of(c.asMap())).isEqualTo(c);
    assertThatThrownBy(() -> TrainConfig.of(Map.of("representation-size", "-1")))
        .hasMessageContaining("'representation-size'");
  }
}

package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Shapes, parameter counts and input checks of the ResNet backbones. */
class ResNetBackboneTest {

  @Test
  void cifarResNetHasPyTorchMapSizesAnd64Features() {
    GraphBackbone b = build(BackboneKind.RESNET8, 1, 32);
    Map<String, INDArray> acts = activations(b, 32);
    assertThat(acts.get("stem_relu").shape()).containsExactly(2, 16, 32, 32);
    assertThat(acts.get("stage1_block1_relu").shape()).containsExactly(2, 16, 32, 32);
    assertThat(acts.get("stage2_block1_relu1").shape()).containsExactly(2, 32, 16, 16);
    assertThat(acts.get("stage2_block1_shortcut_bn").shape()).containsExactly(2, 32, 16, 16);
    assertThat(acts.get("stage3_block1_relu").shape()).containsExactly(2, 64, 8, 8);
    assertThat(b.featureSize()).isEqualTo(64);
    assertThat(b.forward(images(2, 32), false).shape()).containsExactly(2, 64);
  }

  @Test
  void widthMultiplierScalesChannelsAndFeatures() {
    GraphBackbone b = build(BackboneKind.RESNET8, 2, 32);
    assertThat(b.featureSize()).isEqualTo(128);
    assertThat(b.forward(images(2, 32), true).shape()).containsExactly(2, 128);
    assertThat(activations(b, 32).get("stage2_block1_relu").shape()).containsExactly(2, 64, 16, 16);

    GraphBackbone narrow = build(BackboneKind.RESNET34, 0.25, 32);
    assertThat(narrow.featureSize()).isEqualTo(128);
    assertThat(narrow.forward(images(2, 32), false).shape()).containsExactly(2, 128);
  }

  /**
   * Trainable parameters of a CIFAR ResNet-(6n+2) on {@code c0} input channels with stage widths
   * {@code c1, c2, c3}: stem {@code 9 c0 c1 + 2 c1}; stage 1, {@code n (18 c1^2 + 4 c1)}; stages i
   * = 2, 3, a first block with its projection shortcut {@code 10 c(i-1) ci + 9 ci^2 + 6 ci} and
   * {@code (n - 1) (18 ci^2 + 4 ci)} for the others. At width 1 on RGB this is {@code 97216 n -
   * 19824}. Check: the CIFAR code's ResNet-32 with option-A (parameter-free) shortcuts has 464,154
   * parameters with its 650-parameter classifier; the two projections add 16*32 + 2*32 + 32*64 +
   * 2*64 = 2,752, so 463,504 + 2,752 = 466,256.
   */
  static long cifarTrainable(int c0, int c1, int c2, int c3, int n) {
    long p = 9L * c0 * c1 + 2L * c1 + n * (18L * c1 * c1 + 4L * c1);
    int[] c = {c1, c2, c3};
    for (int i = 1; i < 3; i++) {
      long ci = c[i];
      p += 10L * c[i - 1] * ci + 9 * ci * ci + 6 * ci + (n - 1) * (18 * ci * ci + 4 * ci);
    }
    return p;
  }

  /**
   * Batch-norm running statistics (mean and log10 std per BN channel): {@code 2 (c1 + 2n c1 +
   * (2n+1)(c2 + c3))}.
   */
  static long cifarStatistics(int c1, int c2, int c3, int n) {
    return 2L * (c1 + 2L * n * c1 + (2L * n + 1) * (c2 + c3));
  }

  @Test
  void cifarResNetParameterCountsMatchTheFormula() {
    int[][] cases = {{8, 1}, {32, 5}, {56, 9}};
    for (int[] c : cases) {
      GraphBackbone b = build(BackboneKind.parse("resnet" + c[0]), 1, 32);
      assertThat(trainable(b)).as("resnet%d", c[0]).isEqualTo(cifarTrainable(3, 16, 32, 64, c[1]));
      assertThat(statistics(b)).as("resnet%d", c[0]).isEqualTo(cifarStatistics(16, 32, 64, c[1]));
    }
    GraphBackbone r32 = build(BackboneKind.RESNET32, 1, 32);
    assertThat(trainable(r32)).isEqualTo(466_256L).isEqualTo(97_216L * 5 - 19_824);
    assertThat(statistics(r32)).isEqualTo(2_464L);
    assertThat(r32.numParams()).isEqualTo(468_720L);
    assertThat(trainable(build(BackboneKind.RESNET8, 1, 32))).isEqualTo(77_392L);
    assertThat(trainable(build(BackboneKind.RESNET56, 1, 32))).isEqualTo(855_120L);

    GraphBackbone wide = build(BackboneKind.RESNET32, 2, 32);
    assertThat(trainable(wide)).isEqualTo(cifarTrainable(3, 32, 64, 128, 5));
    GraphBackbone thin = build(BackboneKind.RESNET8, 0.5, 32);
    assertThat(trainable(thin)).isEqualTo(cifarTrainable(3, 8, 16, 32, 1));
  }

  /**
   * torchvision's {@code resnet34} has 21,797,672 parameters, of which the 512x1000 classifier
   * holds 513,000: 21,284,672 remain, stem {@code 49*3*64 + 2*64} and the same block formula as
   * above over [3, 4, 6, 3] blocks. Its BN running means and variances are buffers, 2 x 8,512
   * channels; DL4J keeps them in the parameter vector.
   */
  @Test
  void resnet34MatchesTorchvisionAndPyTorchMapSizesOnStl10() {
    GraphBackbone b = build(BackboneKind.RESNET34, 1, 96);
    assertThat(trainable(b)).isEqualTo(21_284_672L);
    assertThat(statistics(b)).isEqualTo(2L * 8_512);
    assertThat(b.featureSize()).isEqualTo(512);

    Map<String, INDArray> acts = activations(b, 96);
    assertThat(acts.get("stem_conv").shape()).containsExactly(2, 64, 48, 48);
    assertThat(acts.get("stem_pool").shape()).containsExactly(2, 64, 24, 24);
    assertThat(acts.get("stage1_block3_relu").shape()).containsExactly(2, 64, 24, 24);
    assertThat(acts.get("stage2_block4_relu").shape()).containsExactly(2, 128, 12, 12);
    assertThat(acts.get("stage3_block6_relu").shape()).containsExactly(2, 256, 6, 6);
    assertThat(acts.get("stage4_block3_relu").shape()).containsExactly(2, 512, 3, 3);
    assertThat(acts.get("features").shape()).containsExactly(2, 512);
  }

  @Test
  void badSpecsAreRejectedWithClearMessages() {
    assertThatThrownBy(() -> new BackboneSpec(BackboneKind.RESNET32, 0, 3, 32, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width multiplier");
    assertThatThrownBy(() -> new BackboneSpec(BackboneKind.RESNET32, -1, 3, 32, 32))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("width multiplier");
    assertThatThrownBy(() -> new BackboneSpec(BackboneKind.RESNET8, 1, 3, 4, 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 1x8x8");
    BackboneSpec small = new BackboneSpec(BackboneKind.RESNET34, 1, 3, 16, 96);
    assertThatThrownBy(() -> Backbones.build(small, 1, DataType.FLOAT))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("resnet34")
        .hasMessageContaining("at least 32x32, got 16x96");
    assertThatThrownBy(() -> CifarResNet.blocksPerStage(BackboneKind.RESNET34))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a CIFAR ResNet");
  }

  /** Opt-in timing: {@code -Drelreason.bench=true}. */
  @Test
  @EnabledIfSystemProperty(named = "relreason.bench", matches = "true")
  void timeResNet32Batch64() {
    GraphBackbone b = build(BackboneKind.RESNET32, 1, 32);
    INDArray x = images(64, 32);
    INDArray g = Nd4j.rand(DataType.FLOAT, 64, 64);
    for (int i = 0; i < 5; i++) {
      long t0 = System.nanoTime();
      b.forward(x, true);
      long t1 = System.nanoTime();
      b.backward(g);
      long t2 = System.nanoTime();
      System.out.printf(
          "resnet32 batch 64: forward %.0f ms, backward %.0f ms%n",
          (t1 - t0) / 1e6, (t2 - t1) / 1e6);
    }
  }

  private static GraphBackbone build(BackboneKind kind, double width, int size) {
    return (GraphBackbone)
        Backbones.build(new BackboneSpec(kind, width, 3, size, size), 1, DataType.FLOAT);
  }

  private static INDArray images(int n, int size) {
    Nd4j.getRandom().setSeed(3);
    return Nd4j.randn(DataType.FLOAT, n, 3, size, size);
  }

  private static Map<String, INDArray> activations(GraphBackbone b, int size) {
    return b.graph().feedForward(new INDArray[] {images(2, size)}, false, false);
  }

  private static long statistics(Backbone b) {
    long n = 0;
    for (boolean s : b.statisticsMask()) {
      n += s ? 1 : 0;
    }
    return n;
  }

  private static long trainable(Backbone b) {
    return b.numParams() - statistics(b);
  }
}

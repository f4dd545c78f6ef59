package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
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
import org.relreason.model.KeepsDataTypes;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.fast.FastResNet;
import org.relreason.model.run.PretrainResult;
import org.relreason.model.run.Trainer;
import org.relreason.model.train.TrainListener;

/**
 * The fast ResNet-34 ({@link FastResNet} in the ImageNet layout, from {@link Backbones#buildFast})
 * against the Deeplearning4j graph of {@link ResNet34} on the same flat parameters and inputs, in
 * double: features in training and inference mode, the whole flat gradient for a random upstream
 * gradient (the batch-norm statistic deltas included), and, after a step applied to both flat
 * vectors (the deltas as they are, SGD on the rest), the running statistics themselves and a second
 * forward and backward on the new parameters (which also shows that no reused buffer accumulates).
 * Every difference is at most 1e-10, relative where a value exceeds 1 in magnitude.
 *
 * <p>Every batch-norm scale, shift and running statistic is randomised before the comparison, and
 * every convolution has its own random weights, so a parameter read from the wrong position of the
 * flat vector would show: equal results mean equal layouts, i.e. interchangeable checkpoints.
 */
@ExtendWith(KeepsDataTypes.class)
class FastResNet34Test {
  private static final double TOLERANCE = 1e-10;

  /**
   * 32x32 is the smallest input; there stage 4 is 1x1, so its batch norms normalise over the N
   * values of the batch alone, and a small batch makes the network ill-conditioned: at N = 2 (width
   * 1) the graph's own features move by 7.5e-9 and its gradient by 4e-4 (relative) when its input
   * moves by one rounding step (x (1 + 1e-16 noise)), at N = 4 (width 0.25) its gradient by
   * 8.5e-10, so no other order of the same sums could agree to 1e-10; the fast path's differences
   * were the same size. At N = 8 those are 9e-12 (width 0.25) and 6e-11 (width 1), hence N = 8 and
   * 16 here. 40x56 is non-square with odd map sizes on the way down (20x28, 10x14, 10x14, 5x7, 3x4,
   * 2x2), so the truncating stride-2 convs and the padded pool meet uneven borders; 96x96 is
   * STL-10's size.
   */
  @ParameterizedTest(name = "width {0}, {1}x{2}, batch {3}")
  @CsvSource({"0.25, 32, 32, 8", "0.25, 40, 56, 3", "0.25, 96, 96, 2", "1, 32, 32, 16"})
  void doubleMatchesDl4jGraph(double width, int height, int widthPx, int batch) {
    compare(width, height, widthPx, batch);
  }

  /** Width 1 on STL-10's 96x96: the network the paper trains, 21.3M parameters. */
  @Test
  void doubleMatchesDl4jGraphAtFullWidthOn96Pixels() {
    compare(1, 96, 96, 2);
  }

  @Test
  void parameterCountLayoutAndInitialisationAreTheGraphs() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.RESNET34, 0.25, 3, 32, 32);
    Backbone fast = Backbones.buildFast(spec, 9, DataType.FLOAT);
    GraphBackbone ref = (GraphBackbone) Backbones.build(spec, 9, DataType.FLOAT);
    assertThat(fast).isInstanceOf(FastResNet.class);
    assertThat(fast.numParams()).isEqualTo(ref.numParams());
    assertThat(fast.featureSize()).isEqualTo(ref.featureSize()).isEqualTo(128);
    assertThat(fast.statisticsMask()).isEqualTo(ref.statisticsMask());
    assertThat(fast.params().equals(ref.params().reshape(fast.params().shape()))).isTrue();
  }

  /**
   * A training step of the relational model with backbone resnet34 on the fast path, in float: the
   * trainer builds {@link FastResNet}, the loss is finite and the parameters move.
   */
  @Test
  void relationalTrainingStepRunsOnTheFastPath() throws Exception {
    int n = 8;
    byte[] px = new byte[n * 3 * 32 * 32];
    new SplittableRandom(5).nextBytes(px);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
    }
    ImageSet images = new ImageSet("synthetic", n, 3, 32, 32, px, labels, 2);
    Map<String, String> v = new HashMap<>();
    v.put("backbone", "resnet34");
    v.put("width", "0.25");
    v.put("k", "2");
    v.put("m", "4");
    v.put("epochs", "1");
    v.put("max-steps", "2");
    v.put("seed", "3");
    try (Trainer t = new Trainer(TrainConfig.of(v), images, Normalization.CIFAR10)) {
      assertThat(t.model().backbone()).isInstanceOf(FastResNet.class);
      float[] before = t.model().paramsVector();
      PretrainResult r = t.pretrain(new TrainListener() {});
      assertThat(r.steps()).isEqualTo(2);
      assertThat(r.lastStep().loss()).isFinite().isPositive();
      assertThat(t.model().paramsVector()).isNotEqualTo(before);
    }
  }

  private static void compare(double width, int height, int widthPx, int batch) {
    Nd4j.setDefaultDataTypes(DataType.DOUBLE, DataType.DOUBLE);
    BackboneSpec spec = new BackboneSpec(BackboneKind.RESNET34, width, 3, height, widthPx);
    Backbone fast = Backbones.buildFast(spec, 42, DataType.DOUBLE);
    GraphBackbone ref = (GraphBackbone) Backbones.build(spec, 42, DataType.DOUBLE);
    assertThat(fast).isInstanceOf(FastResNet.class);
    assertThat(fast.numParams()).isEqualTo(ref.numParams());
    assertThat(fast.statisticsMask()).isEqualTo(ref.statisticsMask());
    randomiseBatchNorms(ref);
    // through a view inside a larger buffer, as the relational model binds it
    INDArray owner = Nd4j.create(DataType.DOUBLE, 1, fast.numParams() + 7);
    INDArray view =
        owner.get(NDArrayIndex.point(0), NDArrayIndex.interval(3, 3 + fast.numParams()));
    fast.bind(view);
    view.assign(ref.params().reshape(view.shape()));

    Nd4j.getRandom().setSeed(3);
    INDArray x = Nd4j.randn(DataType.DOUBLE, batch, 3, height, widthPx).muli(2).addi(0.5);
    INDArray r = Nd4j.randn(DataType.DOUBLE, batch, ref.featureSize());
    for (int round = 1; round <= 2; round++) {
      String at = "round " + round + ": ";
      assertClose(at + "training features", fast.forward(x, true), ref.forward(x, true));
      fast.backward(r);
      ref.backward(r);
      assertClose(at + "flat gradient", fast.gradients(), ref.gradients());
      assertClose(at + "inference features", fast.forward(x, false), ref.forward(x, false));
      step(ref.params(), ref.gradients(), ref.statisticsMask());
      step(fast.params(), fast.gradients(), fast.statisticsMask());
      assertClose(at + "parameters after the step", fast.params(), ref.params());
    }
  }

  /**
   * Every batch norm's gamma in [0.5, 1.5), beta and running mean in [-0.5, 0.5), running log10 std
   * in [-0.25, 0.25): away from the initial 1/0/0/0, and different in every layer.
   */
  private static void randomiseBatchNorms(GraphBackbone ref) {
    Nd4j.getRandom().setSeed(17);
    for (Map.Entry<String, INDArray> e : ref.graph().paramTable().entrySet()) {
      INDArray p = e.getValue();
      String key = e.getKey();
      if (key.endsWith("_gamma")) {
        p.assign(Nd4j.rand(p.dataType(), p.shape()).addi(0.5));
      } else if (key.endsWith("_beta") || key.endsWith("_mean")) {
        p.assign(Nd4j.rand(p.dataType(), p.shape()).subi(0.5));
      } else if (key.endsWith("_log10stdev")) {
        p.assign(Nd4j.rand(p.dataType(), p.shape()).subi(0.5).muli(0.5));
      }
    }
  }

  /** {@code p -= g} at the running statistics, {@code p -= 0.1 g} elsewhere. */
  private static void step(INDArray params, INDArray gradients, boolean[] statistics) {
    double[] p = params.ravel().toDoubleVector();
    double[] g = gradients.ravel().toDoubleVector();
    for (int i = 0; i < p.length; i++) {
      p[i] -= statistics[i] ? g[i] : 0.1 * g[i];
    }
    params.assign(Nd4j.createFromArray(p).reshape(params.shape()));
  }

  /** Every element within {@link #TOLERANCE}, relative to the expected value where it exceeds 1. */
  private static void assertClose(String what, INDArray actual, INDArray expected) {
    double[] a = actual.ravel().toDoubleVector();
    double[] e = expected.ravel().toDoubleVector();
    assertThat(a).as(what + ": length").hasSameSizeAs(e);
    double worst = 0;
    int at = -1;
    for (int i = 0; i < e.length; i++) {
      double d = Math.abs(a[i] - e[i]) / Math.max(1, Math.abs(e[i]));
      if (d > worst || at < 0) {
        worst = d;
        at = i;
      }
    }
    assertThat(worst)
        .as(
            "%s: worst difference %.3e at %d of %d (%.6e against %.6e)",
            what, worst, at, e.length, a[at], e[at])
        .isLessThanOrEqualTo(TOLERANCE);
  }
}

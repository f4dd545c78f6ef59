package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.config.InfoMaxPrior;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.LocalFeatureBackbone;
import org.relreason.model.train.Adam;
import org.relreason.model.train.Batch;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.PhaseTimer;
import org.relreason.model.train.StepStats;

/**
 * Deep InfoMax: the Jensen–Shannon estimate and the prior term against hand computations, the local
 * discriminator's pairing and value on tiny hand-made arrays, the score sign after a little
 * training, and the whole flat gradient against finite differences.
 */
@ExtendWith(DoublePrecision.class)
class InfoMaxTest {

  private static double softplus(double x) {
    return Math.log(1 + Math.exp(x));
  }

  private static double sigmoid(double x) {
    return 1 / (1 + Math.exp(-x));
  }

  @Test
  void jsdEstimateEqualsTheHandComputedValue() {
    double[] matched = {2, -1};
    double[] mismatched = {0, 1};
    // Î = E_P[−sp(−T)] − E_N[sp(T)]
    double expected = -(softplus(-2) + softplus(1)) / 2 - (softplus(0) + softplus(1)) / 2;
    assertThat(InfoMaxLoss.jsdEstimate(matched, mismatched)).isCloseTo(expected, within(1e-12));
    // the same formula evaluated once outside Java (Python)
    assertThat(InfoMaxLoss.jsdEstimate(matched, mismatched)).isCloseTo(-1.723299283, within(1e-9));
    // the loss is −β Î, and counts matched scores > 0 and mismatched scores <= 0
    InfoMaxLoss.Result r = InfoMaxLoss.local(matched, mismatched, 0.5);
    assertThat(r.loss()).isCloseTo(-0.5 * expected, within(1e-12));
    assertThat(r.positivesAbove()).isEqualTo(1);
    assertThat(r.negativesBelow()).isEqualTo(1);
  }

  @Test
  void jsdEstimateRewardsMatchedPairsScoringAboveMismatchedOnes() {
    // scores that cannot tell the pairs apart give −2 log 2, the estimate of zero information
    assertThat(InfoMaxLoss.jsdEstimate(new double[] {0, 0}, new double[] {0}))
        .isCloseTo(-2 * Math.log(2), within(1e-15));
    double[] high = {3, 1.5, 2};
    double[] low = {-2, 0.5, -1};
    double right = InfoMaxLoss.jsdEstimate(high, low);
    double wrong = InfoMaxLoss.jsdEstimate(low, high);
    assertThat(right).isGreaterThan(-2 * Math.log(2)).isGreaterThan(wrong);
    // the bound is below 0 and approaches it as the scores separate
    double far = InfoMaxLoss.jsdEstimate(new double[] {30}, new double[] {-30});
    assertThat(far).isLessThan(0).isGreaterThan(-1e-12);
    // the loss's gradient raises matched scores and lowers mismatched ones
    InfoMaxLoss.Result r = InfoMaxLoss.local(high, low, 1);
    for (double g : r.positiveGradient()) {
      assertThat(g).isNegative();
    }
    for (double g : r.negativeGradient()) {
      assertThat(g).isPositive();
    }
  }

  @Test
  void priorTermEqualsTheHandComputedValue() {
    double[] priorLogits = {0, 2};
    double[] featureLogits = {-1};
    double gamma = 0.1;
    double expected =
        -gamma * ((Math.log(sigmoid(0)) + Math.log(sigmoid(2))) / 2 + Math.log(1 - sigmoid(-1)));
    InfoMaxLoss.Result r = InfoMaxLoss.prior(priorLogits, featureLogits, gamma);
    assertThat(r.loss()).isCloseTo(expected, within(1e-12));
    assertThat(r.loss()).isCloseTo(0.072329928332, within(1e-11));
    // a saturated logit stays finite where log(sigmoid(·)) would not
    assertThat(InfoMaxLoss.prior(new double[] {-800}, new double[] {800}, 1).loss())
        .isCloseTo(1600, within(1e-9));
  }

  @Test
  void lossGradientsMatchCentralDifferences() {
    double[] p = {1.3, -0.4, 0.2};
    double[] n = {-2.0, 0.7};
    InfoMaxLoss.Result r = InfoMaxLoss.local(p, n, 0.7);
    double eps = 1e-6;
    for (int i = 0; i < p.length; i++) {
      double keep = p[i];
      p[i] = keep + eps;
      double plus = InfoMaxLoss.local(p, n, 0.7).loss();
      p[i] = keep - eps;
      double minus = InfoMaxLoss.local(p, n, 0.7).loss();
      p[i] = keep;
      assertThat(r.positiveGradient()[i]).isCloseTo((plus - minus) / (2 * eps), within(1e-9));
    }
    for (int i = 0; i < n.length; i++) {
      double keep = n[i];
      n[i] = keep + eps;
      double plus = InfoMaxLoss.local(p, n, 0.7).loss();
      n[i] = keep - eps;
      double minus = InfoMaxLoss.local(p, n, 0.7).loss();
      n[i] = keep;
      assertThat(r.negativeGradient()[i]).isCloseTo((plus - minus) / (2 * eps), within(1e-9));
    }
  }

  /**
   * A local discriminator with one channel, one feature and one hidden unit, every weight 1 and
   * every bias 0, scores a location {@code relu(m + y)}: the pairs and the loss can be written out.
   */
  @Test
  void localDiscriminatorPairsEachFeatureWithItsOwnMapAndTheNextImagesMap() {
    InfoMaxHead head = new InfoMaxHead(1, 1, 1, 1, 1, 3, DataType.DOUBLE);
    double[] p = head.params().toDoubleVector();
    // layers 0..2 (local): W [2, 1] = (1, 1), b 0; W 1, b 0; W 1, b 0
    double[] local = {1, 1, 0, 1, 0, 1, 0};
    System.arraycopy(local, 0, p, 0, local.length);
    head.params().assign(Nd4j.createFromArray(p).reshape(head.params().shape()));
    // two images, a 1×2 map of one channel each, and their features
    INDArray map = Nd4j.createFromArray(new double[] {0.5, 2.0, 1.0, 0.25}).reshape(2, 1, 2, 1);
    INDArray y = Nd4j.createFromArray(new double[] {0.3, -1.2}).reshape(2, 1);
    LocalDiscriminator.Scores s = head.local().forward(map, y);
    // matched: image n's locations with y[n]; mismatched: image n's locations with y[n − 1]
    assertThat(s.matched()).containsExactly(new double[] {0.8, 2.3, 0, 0}, within(1e-12));
    assertThat(s.mismatched()).containsExactly(new double[] {0, 0.8, 1.3, 0.55}, within(1e-12));
    double loss = InfoMaxLoss.local(s.matched(), s.mismatched(), 1).loss();
    assertThat(loss).isCloseTo(1.565922318367, within(1e-11));
    head.local().release();
  }

  @Test
  void mismatchedPairsAreMatchedPairsOfTheFeaturesRolledByOneImage() {
    InfoMaxHead head = new InfoMaxHead(3, 5, 7, 6, 4, 11, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(2);
    INDArray map = Nd4j.rand(DataType.DOUBLE, 4, 2, 3, 3);
    INDArray y = Nd4j.rand(DataType.DOUBLE, 4, 5);
    LocalDiscriminator.Scores s = head.local().forward(map, y);
    INDArray rolled = Nd4j.concat(0, y.get(interval(3, 4)), y.get(interval(0, 3)));
    LocalDiscriminator.Scores r = head.local().forward(map, rolled);
    assertThat(r.matched()).containsExactly(s.mismatched(), within(1e-12));
    head.local().release();
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex point(long i) {
    return org.nd4j.linalg.indexing.NDArrayIndex.point(i);
  }

  private static final int SIDE = 8;

  /** A fast Conv-4 (width 0.5, 3×8×8 inputs) and small discriminators, in double. */
  private static InfoMaxModel smallModel(long seed) {
    return smallModel(seed, 1, InfoMaxPrior.JOINT);
  }

  private static InfoMaxModel smallModel(long seed, int localBlock, InfoMaxPrior prior) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, SIDE, SIDE);
    LocalFeatureBackbone backbone =
        (LocalFeatureBackbone) Backbones.buildFast(spec, seed, DataType.DOUBLE);
    InfoMaxHead head =
        new InfoMaxHead(
            backbone.localChannels(localBlock),
            backbone.featureSize(),
            16,
            12,
            8,
            seed + 1,
            DataType.DOUBLE);
    return new InfoMaxModel(backbone, localBlock, prior, head, seed, DataType.DOUBLE);
  }

  private static Batch randomBatch(int m, long seed) {
    Nd4j.getRandom().setSeed(seed);
    int[] images = new int[m];
    for (int i = 0; i < m; i++) {
      images[i] = 10 + i;
    }
    return new Batch(Nd4j.randn(DataType.DOUBLE, m, 3, SIDE, SIDE), images, null);
  }

  /** Images of one random colour each, with a little noise: global and local features agree. */
  private static Batch colouredBatch(int m, long seed) {
    Batch noise = randomBatch(m, seed);
    INDArray colours = Nd4j.randn(DataType.DOUBLE, m, 3, 1, 1);
    INDArray views = noise.views().muli(0.3);
    for (int n = 0; n < m; n++) {
      for (int c = 0; c < 3; c++) {
        views.get(point(n), point(c)).addi(colours.getDouble(n, c, 0, 0));
      }
    }
    return new Batch(views, noise.images(), null);
  }

  @Test
  void wholeFlatGradientMatchesCentralDifferences() {
    InfoMaxModel model = smallModel(4);
    assertThat(((LocalFeatureBackbone) model.backbone()).localChannels(1)).isEqualTo(4);
    Batch batch = randomBatch(3, 3);
    assertThat(ModelGradientCheck.check(model, batch, 120)).isGreaterThan(80);
  }

  /**
   * Every local map, joint and adversarial prior; the encoder's part against its own loss. (Without
   * a prior term the prior discriminator's gradient is zero by design; the next test shows that
   * mode's gradient is the mean of these two on the encoder and theirs on the local discriminator.)
   */
  @Test
  void flatGradientMatchesCentralDifferencesForEveryMapAndPriorMode() {
    Batch batch = randomBatch(5, 3);
    for (InfoMaxPrior prior : new InfoMaxPrior[] {InfoMaxPrior.JOINT, InfoMaxPrior.ADVERSARIAL}) {
      for (int block = 1; block <= 4; block++) {
        InfoMaxModel model = smallModel(4, block, prior);
        int checked;
        try {
          checked = ModelGradientCheck.check(model, batch, 120, model::encoderLoss, model::loss);
        } catch (AssertionError e) {
          throw new AssertionError(prior + ", map " + block + ": " + e.getMessage(), e);
        }
        assertThat(checked).as("%s, map %d", prior, block).isGreaterThan(80);
      }
    }
  }

  /**
   * The gradient reversal: with the same weights and batch, the discriminators' gradient is the
   * same in the joint and adversarial modes, and the encoder's differs by twice the prior term's
   * part, which the no-prior mode leaves out.
   */
  @Test
  void adversarialModeReversesOnlyThePriorGradientThatReachesTheEncoder() {
    Batch batch = randomBatch(4, 6);
    double[][] g = new double[3][];
    InfoMaxPrior[] modes = {InfoMaxPrior.JOINT, InfoMaxPrior.ADVERSARIAL, InfoMaxPrior.NONE};
    long backboneSize = 0;
    long priorStart = 0;
    for (int i = 0; i < 3; i++) {
      InfoMaxModel model = smallModel(4, 2, modes[i]);
      model.computeGradients(batch, new PhaseTimer());
      g[i] = model.gradients().toDoubleVector();
      backboneSize = model.backboneParams();
      // the local discriminator's three layers come first in the head: (C + D)·16 + 16, 16·16 +
      // 16, 16 + 1 with C = 8 (map 2 at width 0.5) and D = 32
      priorStart = backboneSize + (8 + 32) * 16 + 16 + 16 * 16 + 16 + 16 + 1;
    }
    boolean[] stats = smallModel(4, 2, InfoMaxPrior.JOINT).statisticsMask();
    double encoderPrior = 0;
    for (int i = 0; i < g[0].length; i++) {
      if (stats[i]) {
        continue;
      }
      if (i < backboneSize) {
        // joint = local + prior, adversarial = local − prior, none = local
        assertThat(g[0][i] + g[1][i]).as("param %d", i).isCloseTo(2 * g[2][i], within(1e-12));
        encoderPrior = Math.max(encoderPrior, Math.abs(g[0][i] - g[2][i]));
      } else {
        assertThat(g[1][i]).as("head param %d", i).isCloseTo(g[0][i], within(1e-15));
        if (i >= priorStart) {
          assertThat(g[2][i]).as("prior discriminator param %d untrained", i).isZero();
        } else {
          assertThat(g[2][i])
              .as("local discriminator param %d", i)
              .isCloseTo(g[0][i], within(1e-15));
        }
      }
    }
    assertThat(encoderPrior).as("the prior term reaches the encoder").isGreaterThan(1e-8);
  }

  /**
   * The full-size Conv-4 in float on 32×32 images takes every local map: map 4 (64 channels beside
   * 64 features) once met an ND4J view that came out rank 0 (see {@code Dense.weightRows}).
   */
  @Test
  void fullSizeConv4StepsOnEveryLocalMapInFloat() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 1.0, 3, 32, 32);
    Nd4j.getRandom().setSeed(9);
    INDArray views = Nd4j.rand(DataType.FLOAT, 4, 3, 32, 32);
    Batch batch = new Batch(views, new int[] {0, 1, 2, 3}, null);
    for (int block = 1; block <= 4; block++) {
      LocalFeatureBackbone backbone =
          (LocalFeatureBackbone) Backbones.buildFast(spec, 1, DataType.FLOAT);
      InfoMaxModel model =
          new InfoMaxModel(backbone, block, InfoMaxPrior.ADVERSARIAL, 3, DataType.FLOAT);
      StepStats stats = model.computeGradients(batch, new PhaseTimer());
      assertThat(stats.loss()).as("map %d", block).isFinite();
      assertThat(model.gradients().norm2Number().doubleValue()).as("map %d", block).isPositive();
    }
  }

  @Test
  void priorSamplesAreUniformAndFixedByTheMinibatch() {
    InfoMaxModel model = smallModel(4);
    Batch batch = randomBatch(6, 3);
    double[] u = model.priorSamples(batch).ravel().toDoubleVector();
    assertThat(u).hasSize(6 * 32);
    assertThat(model.priorSamples(batch).ravel().toDoubleVector()).containsExactly(u);
    double mean = 0;
    for (double v : u) {
      assertThat(v).isBetween(0.0, 1.0);
      mean += v / u.length;
    }
    assertThat(mean).isBetween(0.35, 0.65);
    Batch other = new Batch(batch.views(), new int[] {1, 2, 3, 4, 5, 6}, null);
    assertThat(model.priorSamples(other).ravel().toDoubleVector()).isNotEqualTo(u);
  }

  /**
   * DIM's score sign: after some steps on one minibatch the local discriminator scores each image's
   * map against its own global feature above the map of the next image, and the estimate of mutual
   * information rises.
   */
  @Test
  void trainingScoresMatchedPairsAboveMismatchedOnes() {
    InfoMaxModel model = smallModel(8);
    Batch batch = colouredBatch(8, 5);
    Optimizer adam = new Adam((int) model.numParams(), 3e-3, model.statisticsMask());
    StepStats first = null;
    StepStats last = null;
    for (int step = 0; step < 40; step++) {
      last = model.computeGradients(batch, new PhaseTimer());
      first = first == null ? last : first;
      float[] p = model.paramsVector();
      adam.step(p, model.gradientVector());
      model.setParams(p);
    }
    // at the start every score is > 0 (acc- about 0); measured after 40 steps: loss 1.530 → 1.249,
    // acc+ 0.84, acc- 0.72
    assertThat(last.loss()).isLessThan(first.loss() - 0.1);
    assertThat(first.negativeAccuracy()).isLessThan(0.1);
    assertThat(last.positiveAccuracy()).as("matched pairs scored > 0").isGreaterThan(0.65);
    assertThat(last.negativeAccuracy()).as("mismatched pairs scored <= 0").isGreaterThan(0.6);
    // and in the mean, on the scores themselves
    LocalFeatureBackbone backbone = (LocalFeatureBackbone) model.backbone();
    INDArray y = backbone.forward(batch.views(), true);
    LocalDiscriminator.Scores s =
        ((InfoMaxHead) model.head()).local().forward(backbone.localFeatures(1), y);
    assertThat(mean(s.matched())).isGreaterThan(mean(s.mismatched()));
    ((InfoMaxHead) model.head()).local().release();
  }

  private static double mean(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x;
    }
    return s / v.length;
  }

  @Test
  void augmentationIsAFlipOfTheWholeImageAndTheOptimizerThePapersAdam() {
    InfoMaxModel model = smallModel(1);
    var paper = org.relreason.model.augment.AugmentationConfig.paper();
    var aug = model.augmentation(paper);
    assertThat(aug.scale().min()).isEqualTo(1.0);
    assertThat(aug.scale().max()).isEqualTo(1.0);
    assertThat(aug.flipProbability()).isEqualTo(0.5);
    assertThat(aug.jitterProbability()).isZero();
    assertThat(aug.grayscaleProbability()).isZero();
    assertThat(model.viewsPerImage()).isEqualTo(1);
    // Adam at 1e-4 whatever lr says: one step on a unit gradient moves each parameter by ≈ 1e-4
    Optimizer o = model.optimizer(1e-2, 10);
    float[] p = new float[(int) model.numParams()];
    float[] g = new float[p.length];
    java.util.Arrays.fill(g, 1f);
    o.step(p, g);
    assertThat(p[p.length - 1]).isCloseTo(-1e-4f, within(1e-7f));
  }
}

package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.features.FeatureSet;

class ProbesTest {
  private static final LinearConfig FEW_EPOCHS = LinearConfig.PAPER.withEpochs(20).withSeed(3);

  /**
   * The fixture is the exact optimum of the same objective found by SciPy's dense BFGS
   * (bench/probe_lbfgs_fixture.py, gradient below 1e-9), so agreement to 1e-6 means L-BFGS reached
   * the optimum, not merely a good classifier.
   */
  @Test
  void lbfgsReachesTheOptimumScipyFound() throws IOException {
    JsonNode f = fixture();
    int n = f.get("n").asInt();
    int d = f.get("d").asInt();
    int c = f.get("classes").asInt();
    double[] x = new double[n * d];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) f.get("features").get(i).asDouble();
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = f.get("labels").get(i).asInt();
    }

    LbfgsProbe.Fit fit =
        LbfgsProbe.fit(x, labels, Minibatches.identity(n), d, c, f.get("l2").asDouble(), null);

    assertThat(fit.objective()).isCloseTo(f.get("loss").asDouble(), within(1e-10));
    for (int i = 0; i < c * d; i++) {
      assertThat(fit.params()[i])
          .as("weight %d", i)
          .isCloseTo(f.get("weights").get(i).asDouble(), within(1e-6));
    }
    // Softmax is unchanged by adding one constant to every bias: compare the biases centred.
    double mine = 0;
    double theirs = 0;
    for (int k = 0; k < c; k++) {
      mine += fit.params()[c * d + k] / c;
      theirs += f.get("biases").get(k).asDouble() / c;
    }
    for (int k = 0; k < c; k++) {
      assertThat(fit.params()[c * d + k] - mine)
          .as("bias %d", k)
          .isCloseTo(f.get("biases").get(k).asDouble() - theirs, within(1e-6));
    }
    assertThat(fit.iterations()).isBetween(1, LbfgsProbe.MAX_ITERATIONS);
  }

  @Test
  void featuresAreStandardisedWithTheTrainingSetsConstants() {
    FeatureSet train =
        new FeatureSet(new float[] {1, 10, 3, 10, 5, 10}, new int[] {0, 1, 0}, 3, 2, 2);
    FeatureSet test = new FeatureSet(new float[] {7, 4}, new int[] {1}, 1, 2, 2);

    LbfgsProbe.Standardizer z = LbfgsProbe.Standardizer.fit(train);

    double sd = Math.sqrt(8.0 / 3);
    assertThat(z.apply(train))
        .containsExactly(new double[] {-2 / sd, 0, 0, 0, 2 / sd, 0}, within(1e-12));
    // the constant feature keeps scale 1; the test set is moved by the training constants
    assertThat(z.apply(test)).containsExactly(new double[] {4 / sd, -6}, within(1e-12));
  }

  @Test
  void validationSplitPartitionsTheTrainingRows() {
    int[][] split = LbfgsProbe.validationSplit(1000, 7);
    Set<Integer> fit = new HashSet<>();
    for (int r : split[0]) {
      fit.add(r);
    }
    Set<Integer> all = new HashSet<>(fit);
    for (int r : split[1]) {
      assertThat(fit).as("validation row %d is also a fitting row", r).doesNotContain(r);
      all.add(r);
    }
    assertThat(split[1]).hasSize(200);
    assertThat(all).hasSize(1000);
    assertThat(all).allMatch(r -> r >= 0 && r < 1000);
    assertThat(LbfgsProbe.validationSplit(1000, 7)[1]).isEqualTo(split[1]);
    assertThat(LbfgsProbe.validationSplit(1000, 8)[1]).isNotEqualTo(split[1]);
    assertThat(LbfgsProbe.validationSplit(100_000, 7)[1]).hasSize(LbfgsProbe.MAX_VALIDATION);
  }

  /**
   * The L2 strength is chosen on the training set alone: a test set with other features and labels
   * changes the test score and nothing else.
   */
  @Test
  void theTestSetNeverInfluencesTheChosenL2() {
    FeatureSet train = Synthetic.clusters(400, 8, 3, 1.5, 1, 2);
    FeatureSet testA = Synthetic.clusters(300, 8, 3, 1.5, 1, 3);
    FeatureSet testB = Synthetic.randomLabels(300, 8, 3, 4);

    LinearResult a = Probes.evaluate(ProbeKind.LBFGS, FEW_EPOCHS, train, testA);
    LinearResult b = Probes.evaluate(ProbeKind.LBFGS, FEW_EPOCHS, train, testB);

    assertThat(a.l2Search()).isEqualTo(b.l2Search());
    assertThat(a.l2()).isEqualTo(b.l2());
    assertThat(a.trainTop1()).isEqualTo(b.trainTop1());
    assertThat(a.finalTrainLoss()).isEqualTo(b.finalTrainLoss());
    assertThat(a.testTop1()).isNotEqualTo(b.testTop1());
    assertThat(a.testTop1()).isGreaterThan(0.8);
    assertThat(b.testTop1()).isLessThan(0.5);
  }

  @Test
  void theChosenL2IsRecordedWithItsSearch() {
    FeatureSet train = Synthetic.clusters(400, 8, 3, 1.5, 1, 2);
    FeatureSet test = Synthetic.clusters(300, 8, 3, 1.5, 1, 3);

    LinearResult r = Probes.evaluate(ProbeKind.LBFGS, FEW_EPOCHS, train, test);

    assertThat(r.probe()).isEqualTo("lbfgs");
    assertThat(r.validationImages()).isEqualTo(80);
    assertThat(r.l2Search())
        .extracting(LinearResult.L2Trial::l2)
        .containsExactly(1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6);
    double best =
        r.l2Search().stream().mapToDouble(LinearResult.L2Trial::validationTop1).max().orElseThrow();
    LinearResult.L2Trial first =
        r.l2Search().stream().filter(t -> t.validationTop1() == best).findFirst().orElseThrow();
    assertThat(r.l2()).isEqualTo(first.l2());
  }

  /** Every strength separates far-apart clusters perfectly: a tie goes to the strongest. */
  @Test
  void aTieGoesToTheStrongestPenalty() {
    FeatureSet separable = Synthetic.clusters(500, 4, 3, 20.0, 1, 5);

    LinearResult r = Probes.evaluate(ProbeKind.LBFGS, FEW_EPOCHS, separable, separable);

    assertThat(r.l2Search()).allMatch(t -> t.validationTop1() == 1.0);
    assertThat(r.l2()).isEqualTo(LbfgsProbe.L2_GRID[0]);
    assertThat(r.testTop1()).isEqualTo(1.0);
  }

  @Test
  void adamIsThePapersLinearEvaluationUnchanged() {
    FeatureSet train = Synthetic.clusters(300, 8, 3, 2.0, 1, 2);
    FeatureSet test = Synthetic.clusters(200, 8, 3, 2.0, 1, 3);

    LinearResult viaProbes = Probes.evaluate(ProbeKind.ADAM, FEW_EPOCHS, train, test);
    LinearResult direct = new LinearEvaluator(FEW_EPOCHS).evaluate(train, test);

    assertThat(viaProbes.testTop1()).isEqualTo(direct.testTop1());
    assertThat(viaProbes.finalTrainLoss()).isEqualTo(direct.finalTrainLoss());
    assertThat(viaProbes.probe()).isEqualTo("adam");
    assertThat(viaProbes.l2()).isNull();
  }

  @Test
  void sgdLearnsSeparableClustersOnItsLongSchedule() {
    FeatureSet train = Synthetic.clusters(400, 8, 4, 6.0, 1, 2);
    FeatureSet test = Synthetic.clusters(200, 8, 4, 6.0, 1, 3);

    LinearResult r = Probes.evaluate(ProbeKind.SGD, LinearConfig.PAPER.withEpochs(4), train, test);

    assertThat(r.epochs()).isEqualTo(4 * SgdProbe.EPOCH_FACTOR);
    assertThat(r.testTop1()).isGreaterThan(0.98);
    assertThat(SgdProbe.learningRateAt(0, 100)).isEqualTo(SgdProbe.LEARNING_RATE);
    assertThat(SgdProbe.learningRateAt(50, 100))
        .isCloseTo(SgdProbe.LEARNING_RATE * 0.1, within(1e-15));
    assertThat(SgdProbe.learningRateAt(75, 100))
        .isCloseTo(SgdProbe.LEARNING_RATE * 0.01, within(1e-15));
  }

  /** XOR of two signs is not linearly separable: the MLP learns it, the linear probes cannot. */
  @Test
  void mlpLearnsWhatNoLinearProbeCan() {
    FeatureSet train = xor(600, 11);
    FeatureSet test = xor(400, 12);
    LinearConfig config = LinearConfig.PAPER.withEpochs(60).withSeed(1);

    LinearResult mlp = new MlpProbe(config, 32).evaluate(train, test);
    LinearResult linear = Probes.evaluate(ProbeKind.LBFGS, config, train, test);

    assertThat(mlp.testTop1()).isGreaterThan(0.95);
    assertThat(linear.testTop1()).isLessThan(0.7);
  }

  @Test
  void mlpGradientMatchesCentralDifferences() {
    FeatureSet data = Synthetic.randomLabels(7, 4, 3, 11);
    double[] x = LinearSoftmax.widen(data.features());
    MlpProbe.Net net = new MlpProbe.Net(4, 5, 3);
    net.init(new SplittableRandom(2));
    int[] rows = {6, 1, 3, 0, 5};
    double[] grad = new double[net.p.length];
    double[] scratch = new double[net.p.length];

    net.lossAndGradient(x, data.labels(), rows, 0, 5, grad);

    double h = 1e-6;
    for (int i = 0; i < net.p.length; i++) {
      double saved = net.p[i];
      net.p[i] = saved + h;
      double up = net.lossAndGradient(x, data.labels(), rows, 0, 5, scratch);
      net.p[i] = saved - h;
      double down = net.lossAndGradient(x, data.labels(), rows, 0, 5, scratch);
      net.p[i] = saved;
      assertThat(grad[i]).as("dL/dp[%d]", i).isCloseTo((up - down) / (2 * h), within(1e-7));
    }
  }

  @Test
  void unknownProbeIsRefusedWithTheValidNames() {
    assertThatThrownBy(() -> ProbeKind.parse("newton"))
        .hasMessageContaining("newton")
        .hasMessageContaining("lbfgs, adam, sgd, mlp");
  }

  private static FeatureSet xor(int n, long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] f = new float[n * 2];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      double a = rng.nextDouble(-1, 1);
      double b = rng.nextDouble(-1, 1);
      f[2 * i] = (float) a;
      f[2 * i + 1] = (float) b;
      y[i] = (a > 0) == (b > 0) ? 1 : 0;
    }
    return new FeatureSet(f, y, n, 2, 2);
  }

  private static JsonNode fixture() throws IOException {
    try (InputStream in = ProbesTest.class.getResourceAsStream("/probe/lbfgs-fixture.json")) {
      assertThat(in).as("test resource /probe/lbfgs-fixture.json").isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }
}

package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

class LinearEvaluatorTest {

  @Test
  void separableClustersAreClassifiedAlmostPerfectly() {
    FeatureSet train = Synthetic.clusters(512, 16, 4, 8.0, 1, 2);
    FeatureSet test = Synthetic.clusters(256, 16, 4, 8.0, 1, 3);

    LinearResult r = new LinearEvaluator().evaluate(train, test);

    assertThat(r.testTop1()).isGreaterThanOrEqualTo(0.99);
    assertThat(r.trainTop1()).isGreaterThanOrEqualTo(0.99);
    assertThat(r.finalTrainLoss()).isLessThan(0.1 * Math.log(4));
    assertThat(r.epochs()).isEqualTo(100);
    assertThat(r.seconds()).isPositive();
  }

  @Test
  void randomLabelsStayAtChanceOnTheTestSet() {
    FeatureSet train = Synthetic.randomLabels(1000, 32, 4, 5);
    FeatureSet test = Synthetic.randomLabels(2000, 32, 4, 6);

    LinearResult r = new LinearEvaluator().evaluate(train, test);

    // Chance is 0.25; the standard error at 2000 test examples is about 0.01.
    assertThat(r.testTop1()).isBetween(0.19, 0.31);
  }

  @Test
  void batchGradientMatchesCentralDifferences() {
    FeatureSet data = Synthetic.randomLabels(9, 5, 3, 11);
    double[] x = LinearSoftmax.widen(data.features());
    LinearSoftmax model = LinearSoftmax.init(5, 3, new SplittableRandom(4));
    double[] params = model.params();
    int[] rows = {8, 2, 5, 0, 7, 3};
    double[] grad = new double[params.length];

    model.lossAndGradient(x, data.labels(), rows, 1, 5, grad);

    double h = 1e-6;
    double[] scratch = new double[params.length];
    for (int i = 0; i < params.length; i++) {
      double saved = params[i];
      params[i] = saved + h;
      double up = model.lossAndGradient(x, data.labels(), rows, 1, 5, scratch);
      params[i] = saved - h;
      double down = model.lossAndGradient(x, data.labels(), rows, 1, 5, scratch);
      params[i] = saved;
      assertThat(grad[i]).as("dL/dp[%d]", i).isCloseTo((up - down) / (2 * h), within(1e-8));
    }
  }

  @Test
  void lossIsStableForHugeLogits() {
    double[] x = {1e4, -1e4};
    LinearSoftmax model = new LinearSoftmax(1, 2, new double[] {1, -1, 0, 0});
    double[] grad = new double[4];

    double loss = model.lossAndGradient(x, new int[] {1, 0}, new int[] {0, 1}, 0, 2, grad);

    // Both examples sit at logit margin 2e4 on the wrong side: CE = 2e4, not Infinity or NaN.
    assertThat(loss).isCloseTo(2e4, within(1e-9));
    // Each example's softmax is one-hot on the wrong class: dL/dW = +-1e4, the biases cancel.
    assertThat(grad).containsExactly(new double[] {1e4, -1e4, 0, 0}, within(1e-9));
  }

  @Test
  void sameSeedGivesTheSameResult() {
    FeatureSet train = Synthetic.clusters(300, 8, 3, 2.0, 1, 2);
    FeatureSet test = Synthetic.clusters(100, 8, 3, 2.0, 1, 3);
    LinearConfig config = LinearConfig.PAPER.withEpochs(5).withSeed(42);

    LinearResult a = new LinearEvaluator(config).evaluate(train, test);
    LinearResult b = new LinearEvaluator(config).evaluate(train, test);
    LinearResult other = new LinearEvaluator(config.withSeed(43)).evaluate(train, test);

    assertThat(b.finalTrainLoss()).isEqualTo(a.finalTrainLoss());
    assertThat(b.testTop1()).isEqualTo(a.testTop1());
    assertThat(b.trainTop1()).isEqualTo(a.trainTop1());
    assertThat(other.finalTrainLoss()).isNotEqualTo(a.finalTrainLoss());
  }

  @Test
  void mismatchedSetsAreRejected() {
    FeatureSet train = Synthetic.randomLabels(10, 4, 2, 1);

    assertThatThrownBy(
            () -> new LinearEvaluator().evaluate(train, Synthetic.randomLabels(10, 5, 2, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d=4 vs 5");
    assertThatThrownBy(
            () -> new LinearEvaluator().evaluate(train, Synthetic.randomLabels(10, 4, 3, 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("numClasses=2 vs 3");
  }

  @Test
  void badConfigIsRejected() {
    assertThatThrownBy(() -> LinearConfig.PAPER.withEpochs(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("epochs");
    assertThatThrownBy(() -> new LinearConfig(1, 0, 1e-3, 0.9, 0.999, 1e-8, 0))
        .hasMessageContaining("batchSize");
    assertThatThrownBy(() -> new LinearConfig(1, 1, 1e-3, 1.0, 0.999, 1e-8, 0))
        .hasMessageContaining("betas");
  }
}

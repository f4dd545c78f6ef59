package org.relreason.model.eval;

import java.util.Objects;
import java.util.SplittableRandom;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.train.Adam;

/**
 * The paper's linear evaluation: a softmax classifier trained with Adam on frozen features, scored
 * by top-1 accuracy on the test features.
 *
 * <p>Plain single-threaded Java: 60,000 x 64 features, 10 classes, 100 epochs take about 5.5 s of
 * CPU (EvalBenchmarkTest, on a shared 2-core machine), so threads would buy little there and would
 * make the result depend on how the work is split. The result is a pure function of the features
 * and the config.
 */
public final class LinearEvaluator {
  private final LinearConfig config;

  /** An evaluator with the paper's settings ({@link LinearConfig#PAPER}). */
  public LinearEvaluator() {
    this(LinearConfig.PAPER);
  }

  /** An evaluator with the given settings. */
  public LinearEvaluator(LinearConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /** Trains on {@code train} and scores on {@code test}; both must share d and numClasses. */
  public LinearResult evaluate(FeatureSet train, FeatureSet test) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    train.requireCompatible(test, "linear evaluation");
    long start = System.nanoTime();
    SplittableRandom rng = new SplittableRandom(config.seed());
    // Separate streams, so changing the epoch count leaves the initial weights alone.
    LinearSoftmax model = LinearSoftmax.init(train.d(), train.numClasses(), rng.split());
    SplittableRandom shuffler = rng.split();
    double[] trainX = LinearSoftmax.widen(train.features());
    double loss = train(model, trainX, train.labels(), shuffler);
    double trainTop1 = model.accuracy(trainX, train.labels());
    double testTop1 = model.accuracy(LinearSoftmax.widen(test.features()), test.labels());
    double seconds = (System.nanoTime() - start) / 1e9;
    return new LinearResult(testTop1, trainTop1, loss, config.epochs(), seconds, ProbeKind.ADAM);
  }

  /** Runs all epochs; returns the mean loss of the last one. */
  private double train(LinearSoftmax model, double[] x, int[] labels, SplittableRandom shuffler) {
    Adam adam =
        Adam.inDouble(
            model.params().length,
            config.learningRate(),
            config.beta1(),
            config.beta2(),
            config.epsilon());
    double[] grad = new double[model.params().length];
    int[] order = Minibatches.identity(labels.length);
    double epochLoss = Double.NaN;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      Minibatches.shuffle(order, shuffler);
      double sum = 0;
      for (int from = 0; from < order.length; from += config.batchSize()) {
        int to = Math.min(order.length, from + config.batchSize());
        sum += model.lossAndGradient(x, labels, order, from, to, grad) * (to - from);
        adam.step(model.params(), grad);
      }
      epochLoss = sum / order.length;
    }
    return epochLoss;
  }
}

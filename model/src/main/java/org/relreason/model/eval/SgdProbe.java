package org.relreason.model.eval;

import java.util.SplittableRandom;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.features.FeatureSet;

/**
 * Softmax on frozen features trained by SGD with momentum ({@code torch.optim.SGD}: {@code v = μ v
 * + g; p -= lr_t v}) on a long step schedule: {@link #EPOCH_FACTOR} times the linear evaluation's
 * epochs (500 at the default 100, the length Kolesnikov et al. 2019 found SGD probes need), the
 * rate ×0.1 at 50% and 75% of the steps (the schedule of the paper's supervised baseline).
 */
final class SgdProbe {
  /** Epochs are this many times the linear evaluation's. */
  static final int EPOCH_FACTOR = 5;

  /** Base learning rate. */
  static final double LEARNING_RATE = 0.05;

  /** Momentum μ. */
  static final double MOMENTUM = 0.9;

  private final LinearConfig config;

  SgdProbe(LinearConfig config) {
    this.config = config;
  }

  LinearResult evaluate(FeatureSet train, FeatureSet test) {
    long start = System.nanoTime();
    SplittableRandom rng = new SplittableRandom(config.seed());
    LinearSoftmax model = LinearSoftmax.init(train.d(), train.numClasses(), rng.split());
    SplittableRandom shuffler = rng.split();
    double[] x = LinearSoftmax.widen(train.features());
    int epochs = Math.multiplyExact(config.epochs(), EPOCH_FACTOR);
    double[] p = model.params();
    double[] grad = new double[p.length];
    double[] velocity = new double[p.length];
    int[] order = Minibatches.identity(train.n());
    long stepsPerEpoch = (train.n() + config.batchSize() - 1) / config.batchSize();
    long total = stepsPerEpoch * epochs;
    long t = 0;
    double epochLoss = Double.NaN;
    for (int epoch = 0; epoch < epochs; epoch++) {
      Minibatches.shuffle(order, shuffler);
      double sum = 0;
      for (int from = 0; from < order.length; from += config.batchSize()) {
        int to = Math.min(order.length, from + config.batchSize());
        sum += model.lossAndGradient(x, train.labels(), order, from, to, grad) * (to - from);
        double lr = learningRateAt(t++, total);
        for (int i = 0; i < p.length; i++) {
          velocity[i] = MOMENTUM * velocity[i] + grad[i];
          p[i] -= lr * velocity[i];
        }
      }
      epochLoss = sum / order.length;
    }
    double trainTop1 = model.accuracy(x, train.labels());
    double testTop1 = model.accuracy(LinearSoftmax.widen(test.features()), test.labels());
    return new LinearResult(
        testTop1, trainTop1, epochLoss, epochs, (System.nanoTime() - start) / 1e9, ProbeKind.SGD);
  }

  /** {@link #LEARNING_RATE}, ×0.1 from 50% of the steps, ×0.01 from 75%. */
  static double learningRateAt(long step, long total) {
    double lr = LEARNING_RATE;
    if (step >= total / 2) {
      lr *= 0.1;
    }
    if (step >= total * 3 / 4) {
      lr *= 0.1;
    }
    return lr;
  }
}

package org.relreason.model.eval;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.train.Adam;

/**
 * A one-hidden-layer probe on frozen features: {@code softmax(W2 relu(W1 x + b1) + b2)}, {@link
 * #HIDDEN} units, PyTorch's default initialisation, trained by Adam with the linear evaluation's
 * settings (rate, batch, epochs). Plain single-threaded Java in double, like {@link LinearSoftmax},
 * so the result is a pure function of the features and the seed.
 *
 * <p>Parameters, flat: {@code W1 [HIDDEN][d]}, {@code b1}, {@code W2 [C][HIDDEN]}, {@code b2}.
 */
final class MlpProbe {
  /** Hidden units. */
  static final int HIDDEN = 256;

  private final LinearConfig config;
  private final int hidden;

  MlpProbe(LinearConfig config) {
    this(config, HIDDEN);
  }

  MlpProbe(LinearConfig config, int hidden) {
    this.config = config;
    this.hidden = hidden;
  }

  LinearResult evaluate(FeatureSet train, FeatureSet test) {
    long start = System.nanoTime();
    Net net = new Net(train.d(), hidden, train.numClasses());
    SplittableRandom rng = new SplittableRandom(config.seed());
    net.init(rng.split());
    SplittableRandom shuffler = rng.split();
    double[] x = LinearSoftmax.widen(train.features());
    Adam adam =
        Adam.inDouble(
            net.p.length, config.learningRate(), config.beta1(), config.beta2(), config.epsilon());
    double[] grad = new double[net.p.length];
    int[] order = Minibatches.identity(train.n());
    double epochLoss = Double.NaN;
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      Minibatches.shuffle(order, shuffler);
      double sum = 0;
      for (int from = 0; from < order.length; from += config.batchSize()) {
        int to = Math.min(order.length, from + config.batchSize());
        sum += net.lossAndGradient(x, train.labels(), order, from, to, grad) * (to - from);
        adam.step(net.p, grad);
      }
      epochLoss = sum / order.length;
    }
    double trainTop1 = net.accuracy(x, train.labels());
    double testTop1 = net.accuracy(LinearSoftmax.widen(test.features()), test.labels());
    return new LinearResult(
        testTop1,
        trainTop1,
        epochLoss,
        config.epochs(),
        (System.nanoTime() - start) / 1e9,
        ProbeKind.MLP);
  }

  /** The network, its loss and its gradient. Not thread-safe (scratch buffers). */
  static final class Net {
    final int d;
    final int h;
    final int c;
    final double[] p;
    private final int b1;
    private final int w2;
    private final int b2;
    private double[] hid = new double[0];
    private final double[] z;

    Net(int d, int h, int c) {
      this.d = d;
      this.h = h;
      this.c = c;
      this.b1 = h * d;
      this.w2 = b1 + h;
      this.b2 = w2 + c * h;
      this.p = new double[b2 + c];
      this.z = new double[c];
    }

    /** Uniform in {@code ±1/sqrt(fan_in)}, weights and biases ({@code nn.Linear}'s default). */
    void init(SplittableRandom rng) {
      double s1 = 1 / Math.sqrt(d);
      double s2 = 1 / Math.sqrt(h);
      for (int i = 0; i < w2; i++) {
        p[i] = rng.nextDouble(-s1, s1);
      }
      for (int i = w2; i < p.length; i++) {
        p[i] = rng.nextDouble(-s2, s2);
      }
    }

    /** Hidden activations of row {@code row} into {@code out[o..o+h)}. */
    private void hidden(double[] x, int row, double[] out, int o) {
      int xo = row * d;
      for (int j = 0; j < h; j++) {
        double s = p[b1 + j];
        int wo = j * d;
        for (int k = 0; k < d; k++) {
          s += p[wo + k] * x[xo + k];
        }
        out[o + j] = Math.max(0, s);
      }
    }

    /** Logits into {@link #z} from hidden activations at {@code hid[o..o+h)}; returns the max. */
    private double logits(double[] act, int o) {
      double max = Double.NEGATIVE_INFINITY;
      for (int cls = 0; cls < c; cls++) {
        double s = p[b2 + cls];
        int wo = w2 + cls * h;
        for (int j = 0; j < h; j++) {
          s += p[wo + j] * act[o + j];
        }
        z[cls] = s;
        max = Math.max(max, s);
      }
      return max;
    }

    /** Mean cross-entropy of rows {@code rows[from..to)} and its gradient into {@code grad}. */
    double lossAndGradient(double[] x, int[] labels, int[] rows, int from, int to, double[] grad) {
      int b = to - from;
      if (hid.length < b * h) {
        hid = new double[b * h];
      }
      Arrays.fill(grad, 0);
      double loss = 0;
      double[] dh = new double[h];
      for (int r = 0; r < b; r++) {
        int row = rows[from + r];
        int o = r * h;
        hidden(x, row, hid, o);
        double max = logits(hid, o);
        double sum = 0;
        for (int cls = 0; cls < c; cls++) {
          z[cls] = Math.exp(z[cls] - max);
          sum += z[cls];
        }
        int y = labels[row];
        loss += -Math.log(z[y] / sum);
        Arrays.fill(dh, 0);
        for (int cls = 0; cls < c; cls++) {
          // dCE/dlogit = softmax - onehot (Bishop 2006, eq. 4.109), averaged over the batch
          double g = (z[cls] / sum - (cls == y ? 1 : 0)) / b;
          grad[b2 + cls] += g;
          int wo = w2 + cls * h;
          for (int j = 0; j < h; j++) {
            grad[wo + j] += g * hid[o + j];
            dh[j] += g * p[wo + j];
          }
        }
        int xo = row * d;
        for (int j = 0; j < h; j++) {
          if (hid[o + j] <= 0) {
            continue;
          }
          grad[b1 + j] += dh[j];
          int wo = j * d;
          for (int k = 0; k < d; k++) {
            grad[wo + k] += dh[j] * x[xo + k];
          }
        }
      }
      return loss / b;
    }

    /** Fraction of rows whose arg-max logit is their label (the lower class wins a tie). */
    double accuracy(double[] x, int[] labels) {
      double[] act = new double[h];
      int correct = 0;
      for (int i = 0; i < labels.length; i++) {
        hidden(x, i, act, 0);
        logits(act, 0);
        int best = 0;
        for (int cls = 1; cls < c; cls++) {
          if (z[cls] > z[best]) {
            best = cls;
          }
        }
        if (best == labels[i]) {
          correct++;
        }
      }
      return (double) correct / labels.length;
    }
  }
}

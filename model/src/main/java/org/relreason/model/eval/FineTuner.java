package org.relreason.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.features.NdArrays;
import org.relreason.model.nn.Backbone;
import org.relreason.model.train.Adam;
import org.relreason.model.train.Seeds;

/**
 * The fine-tuning protocol: a new linear head on the backbone, both trained together on labelled
 * images with cross-entropy ({@link Adam#forFineTuning}, {@link FineTuneConfig}); batch-norm in
 * training mode (batch statistics, running averages updated each step); then top-1 on the test
 * images with batch-norm in inference mode.
 *
 * <p>The backbone's parameters are changed in place: pass a backbone the caller may spend (the
 * protocols restore its parameters afterwards). Images get the dataset's normalisation; the
 * authors' fine-tuning augmentation (flip, random affine, random erasing) is applied when the
 * config's {@link FineTuneAugmentation} enables it ({@link FineTuneAugmenter}).
 *
 * <p>One flat float vector holds the backbone's parameters (with its batch-norm running statistics)
 * followed by the head's ({@code W[c][j]} at {@code c * d + j}, then the C biases); the backbone's
 * gradient view is copied into the same layout and the optimizer updates the vector, which is then
 * written back to the backbone's live parameter view.
 */
public final class FineTuner {
  private final FineTuneConfig config;

  /** A fine-tuner with the given settings. */
  public FineTuner(FineTuneConfig config) {
    this.config = Objects.requireNonNull(config, "config");
  }

  /**
   * Outcome of a fine-tuning.
   *
   * @param testTop1 top-1 on the test images
   * @param epochLosses mean training cross-entropy of each epoch
   * @param rateFactors the schedule's factor in each epoch
   * @param steps optimizer steps taken
   * @param seconds wall time
   */
  public record Result(
      double testTop1,
      List<Double> epochLosses,
      List<Double> rateFactors,
      long steps,
      double seconds) {}

  /** Fine-tunes {@code backbone} (in place) on {@code train} and scores on {@code test}. */
  public Result run(Backbone backbone, ImageSet train, ImageSet test, Normalization norm) {
    Objects.requireNonNull(backbone, "backbone");
    if (!train.labeled() || !test.labeled()) {
      throw new IllegalArgumentException("fine-tuning needs labelled train and test images");
    }
    if (train.numClasses() != test.numClasses()) {
      throw new IllegalArgumentException(
          "fine-tuning: " + train + " and " + test + " differ in their number of classes");
    }
    if (train.size() < 2) {
      throw new IllegalArgumentException("fine-tuning needs at least 2 training images");
    }
    long start = System.nanoTime();
    int d = backbone.featureSize();
    int c = train.numClasses();
    int nb = Math.toIntExact(backbone.numParams());
    SplittableRandom rng = new SplittableRandom(config.seed());
    float[] flat = new float[nb + c * d + c];
    System.arraycopy(backbone.params().toFloatVector(), 0, flat, 0, nb);
    initHead(flat, nb, d, c, rng.split());
    boolean[] mask = new boolean[flat.length];
    System.arraycopy(backbone.statisticsMask(), 0, mask, 0, nb);
    Adam adam =
        Adam.forFineTuning(
            flat.length,
            nb,
            mask,
            config.backboneLearningRate(),
            config.headLearningRate(),
            config.weightDecay());
    SplittableRandom shuffler = rng.split();
    int[] order = new int[train.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    float[] grad = new float[flat.length];
    FineTuneAugmenter augmenter =
        config.augmentation().enabled()
            ? new FineTuneAugmenter(config.augmentation(), Seeds.mix(config.seed(), 0x41_55_47L))
            : null;
    List<Double> losses = new ArrayList<>();
    List<Double> factors = new ArrayList<>();
    for (int epoch = 0; epoch < config.epochs(); epoch++) {
      adam.setRateFactor(config.rateFactor(epoch));
      factors.add(config.rateFactor(epoch));
      shuffle(order, shuffler);
      double sum = 0;
      int counted = 0;
      for (int from = 0; from < order.length; from += config.batchSize()) {
        int to = Math.min(order.length, from + config.batchSize());
        // batch-norm cannot take a batch of one in training mode (a variance of zero)
        if (to - from < 2) {
          continue;
        }
        int[] rows = java.util.Arrays.copyOfRange(order, from, to);
        ImageSet batch = train.subset(rows, "batch");
        float[] pixels =
            augmenter == null
                ? FeatureExtractor.normalized(batch, norm, 0, batch.size())
                : augmenter.batch(batch, rows, norm, epoch);
        sum += step(backbone, batch, pixels, flat, nb, d, c, grad) * rows.length;
        counted += rows.length;
        adam.step(flat, grad);
        writeBack(backbone, flat, nb);
      }
      losses.add(sum / counted);
    }
    double top1 = score(backbone, test, norm, flat, nb, d, c);
    return new Result(top1, losses, factors, adam.steps(), (System.nanoTime() - start) / 1e9);
  }

  /** PyTorch's {@code nn.Linear} initialisation: uniform in ±1/sqrt(d). */
  private static void initHead(float[] flat, int from, int d, int c, SplittableRandom rng) {
    double bound = 1.0 / Math.sqrt(d);
    for (int i = from; i < from + c * d + c; i++) {
      flat[i] = (float) rng.nextDouble(-bound, bound);
    }
  }

  /**
   * Forward and backward of one batch: fills {@code grad} (backbone then head, the flat layout);
   * returns the mean cross-entropy.
   */
  private static double step(
      Backbone backbone,
      ImageSet batch,
      float[] pixels,
      float[] flat,
      int nb,
      int d,
      int c,
      float[] grad) {
    int b = batch.size();
    DataType dtype = backbone.params().dataType();
    INDArray input =
        Nd4j.createFromArray(pixels)
            .reshape('c', b, batch.channels(), batch.height(), batch.width())
            .castTo(dtype);
    INDArray out = backbone.forward(input, true);
    float[] f = NdArrays.rowMajor(out.castTo(DataType.FLOAT));
    float[] dF = new float[b * d];
    double loss = headBackward(flat, nb, d, c, f, batch.labels(), grad, dF);
    INDArray eps = Nd4j.createFromArray(dF).reshape('c', b, d).castTo(dtype);
    backbone.backward(eps);
    float[] gb = backbone.gradients().toFloatVector();
    System.arraycopy(gb, 0, grad, 0, nb);
    NdArrays.release(eps);
    NdArrays.release(input);
    return loss;
  }

  /**
   * The head's part of a step: mean cross-entropy of the features {@code f} ({@code b x d},
   * row-major) under the head at {@code flat[nb..]}, its gradient written to {@code grad[nb..]} and
   * the gradient with respect to the features to {@code dF} (both overwritten).
   *
   * @return the mean cross-entropy over the b rows
   */
  static double headBackward(
      float[] flat, int nb, int d, int c, float[] f, int[] labels, float[] grad, float[] dF) {
    int b = labels.length;
    java.util.Arrays.fill(grad, nb, nb + c * d + c, 0f);
    java.util.Arrays.fill(dF, 0, b * d, 0f);
    double[] z = new double[c];
    double loss = 0;
    for (int r = 0; r < b; r++) {
      logits(flat, nb, d, c, f, r, z);
      int y = labels[r];
      double max = Double.NEGATIVE_INFINITY;
      for (double v : z) {
        max = Math.max(max, v);
      }
      double sum = 0;
      for (int k = 0; k < c; k++) {
        z[k] = Math.exp(z[k] - max);
        sum += z[k];
      }
      loss += -Math.log(z[y] / sum);
      for (int k = 0; k < c; k++) {
        // dL/dlogit_k of the batch-mean cross-entropy: (softmax_k - [k == y]) / b
        double g = (z[k] / sum - (k == y ? 1 : 0)) / b;
        grad[nb + c * d + k] += (float) g;
        for (int j = 0; j < d; j++) {
          grad[nb + k * d + j] += (float) (g * f[r * d + j]);
          dF[r * d + j] += (float) (g * flat[nb + k * d + j]);
        }
      }
    }
    return loss / b;
  }

  private static void logits(float[] flat, int nb, int d, int c, float[] f, int r, double[] z) {
    for (int k = 0; k < c; k++) {
      double s = flat[nb + c * d + k];
      for (int j = 0; j < d; j++) {
        s += (double) flat[nb + k * d + j] * f[r * d + j];
      }
      z[k] = s;
    }
  }

  /** Writes the backbone's part of the flat vector into its live parameter view. */
  private static void writeBack(Backbone backbone, float[] flat, int nb) {
    INDArray p = backbone.params();
    try (INDArray src = Nd4j.createFromArray(java.util.Arrays.copyOf(flat, nb))) {
      p.assign(src.castTo(p.dataType()).reshape(p.shape()));
    }
  }

  /** Top-1 of backbone + head on {@code test}, batch-norm in inference mode. */
  private static double score(
      Backbone backbone, ImageSet test, Normalization norm, float[] flat, int nb, int d, int c) {
    float[] f = new FeatureExtractor(norm).features(backbone, test);
    double[] z = new double[c];
    int correct = 0;
    for (int r = 0; r < test.size(); r++) {
      logits(flat, nb, d, c, f, r, z);
      int best = 0;
      for (int k = 1; k < c; k++) {
        if (z[k] > z[best]) {
          best = k;
        }
      }
      if (best == test.label(r)) {
        correct++;
      }
    }
    return (double) correct / test.size();
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }
}

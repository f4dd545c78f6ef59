package org.relreason.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.augment.ViewAugmenter;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.method.Methods;
import org.relreason.model.train.Batch;
import org.relreason.model.train.MinibatchSchedule;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Optimizers;
import org.relreason.model.train.PhaseTimer;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.StepStats;

/**
 * The single-process computation of an IMAGES-mode shard plan for any method, written out with the
 * model API only ({@link PretrainModel}, no coordinator or worker code): each shard's step on its
 * own images, the shards' gradients weighted by their loss terms in double and in shard order, then
 * the method's optimizer. The reference the distributed baselines must equal.
 */
final class MethodReference implements AutoCloseable {
  final TrainConfig config;
  final ImageSet set;
  final PretrainModel model;
  private final ViewAugmenter augmenter;
  private final Optimizer optimizer;
  private final MinibatchSchedule schedule;

  MethodReference(TrainConfig config, ImageSet set) {
    this.config = config;
    this.set = set;
    model = Methods.build(config, set);
    augmenter =
        new ViewAugmenter(
            model.augmentation(
                AugmentationConfig.paper().withOutputSize(set.height(), set.width())),
            Reference.NORM,
            1);
    schedule = MinibatchSchedule.of(config, set.size());
    optimizer = Optimizers.forRun(model, config, schedule.totalSteps(config));
  }

  /** {@link Reference#tinyConfig(long, int)} with other keys set (method, head). */
  static TrainConfig tinyConfig(long maxSteps, int m, Map<String, String> extra) {
    Map<String, String> keys = new java.util.HashMap<>(Reference.tinyConfig(maxSteps, m).asMap());
    keys.putAll(extra);
    return TrainConfig.of(keys);
  }

  /** The pixels of {@link Reference#tinyImages()} with a label in [0, 4) per image. */
  static ImageSet tinyLabeledImages() {
    return tinyLabeledImages(24, 4);
  }

  /**
   * {@code n} random 3-channel 16×16 images with random labels in [0, classes) (DeepCluster needs
   * 10 × classes images at least).
   */
  static ImageSet tinyLabeledImages(int n, int classes) {
    byte[] pixels = new byte[n * 3 * 16 * 16];
    new SplittableRandom(5).nextBytes(pixels);
    int[] labels = new SplittableRandom(11).ints(n, 0, classes).toArray();
    return new ImageSet("synthetic-labeled", n, 3, 16, 16, pixels, labels, classes);
  }

  /** The step of (epoch, step) at the current parameters, its images split into shards. */
  Reference.Step step(int epoch, int stepInEpoch, int shards) {
    int[] images = schedule.images(epoch, stepInEpoch);
    int n = (int) model.numParams();
    double[] acc = new double[n];
    double lossSum = 0;
    long terms = 0;
    for (int[] positions : Reference.split(images.length, shards)) {
      int[] mine = new int[positions.length];
      int[] labels = model.usesLabels() ? new int[positions.length] : null;
      for (int i = 0; i < mine.length; i++) {
        mine[i] = images[positions[i]];
        if (labels != null) {
          labels[i] = set.label(mine[i]);
        }
      }
      int v = model.viewsPerImage();
      float[] views = augmenter.views(set, mine, v, config.seed(), epoch);
      INDArray x =
          Nd4j.createFromArray(views)
              .reshape((long) v * mine.length, set.channels(), set.height(), set.width());
      StepStats s = model.computeGradients(new Batch(x, mine, labels), new PhaseTimer());
      long w = model.lossTerms(mine.length);
      if (s.pairs() != w) {
        // the objective's own count of its terms must be the weight the coordinator uses
        throw new AssertionError(
            model.method() + ": " + s.pairs() + " loss terms, lossTerms says " + w);
      }
      float[] g = model.gradientVector();
      for (int i = 0; i < n; i++) {
        acc[i] += (double) w * g[i];
      }
      lossSum += s.lossSum();
      terms += w;
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (acc[i] / terms);
    }
    return new Reference.Step(lossSum / terms, out);
  }

  /**
   * Runs {@code steps} steps (the method's start-of-epoch work before each epoch's first step, as
   * the trainer; the gradient; the method's optimizer).
   */
  List<Reference.Step> train(int steps, int shards) {
    List<Reference.Step> out = new ArrayList<>();
    int perEpoch = schedule.stepsPerEpoch();
    for (int t = 0; t < steps; t++) {
      if (t % perEpoch == 0) {
        model.beforeEpoch(t / perEpoch, set, Reference.NORM, optimizer);
      }
      Reference.Step s = step(t / perEpoch, t % perEpoch, shards);
      float[] p = model.paramsVector();
      optimizer.step(p, s.gradient());
      model.setParams(p);
      out.add(s);
    }
    return out;
  }

  @Override
  public void close() {
    augmenter.close();
  }
}

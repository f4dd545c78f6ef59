package org.relreason.coordinator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.augment.ViewAugmenter;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.train.MinibatchSchedule;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Optimizers;
import org.relreason.model.train.RelationalModel;
import org.relreason.model.train.RelationalObjective;
import org.relreason.model.train.Seeds;
import org.relreason.model.train.StepStats;
import org.relreason.protocol.v1.ShardingMode;

/**
 * The single-process computation of a shard plan, written out in one place with the model API only
 * (no coordinator or worker code), as the reference the distributed steps must equal.
 */
final class Reference implements AutoCloseable {
  static final Normalization NORM = Normalization.HALF;

  final TrainConfig config;
  final ImageSet set;
  final RelationalModel model;
  final ViewAugmenter augmenter;
  final Optimizer adam;
  final MinibatchSchedule schedule;

  /** One step: mean loss and flat gradient (statistic deltas in place). */
  record Step(double loss, float[] gradient) {}

  Reference(TrainConfig config, ImageSet set) {
    this.config = config;
    this.set = set;
    model = RelationalModel.fromConfig(config, set.channels(), set.height(), set.width());
    augmenter =
        new ViewAugmenter(
            AugmentationConfig.paper().withOutputSize(set.height(), set.width()), NORM, 1);
    schedule = new MinibatchSchedule(set.size(), config.m(), Seeds.mix(config.seed(), 2));
    // the run's optimizer (the paper's Adam unless the config sets the #15 options)
    adam = Optimizers.forRun(model, config, schedule.totalSteps(config));
  }

  /** The tiny run of the tests: Conv-4 at width 0.25, 16×16, M=6, K=3. */
  static TrainConfig tinyConfig(long maxSteps) {
    return tinyConfig(maxSteps, 6);
  }

  /** As {@link #tinyConfig(long)} with another M (M=7 gives shards of unequal size). */
  static TrainConfig tinyConfig(long maxSteps, int m) {
    return TrainConfig.of(
        Map.of(
            "backbone",
            "conv4",
            "width",
            "0.25",
            "k",
            "3",
            "m",
            Integer.toString(m),
            "epochs",
            "5",
            "max-steps",
            Long.toString(maxSteps),
            "seed",
            "7",
            "lr",
            "0.01"));
  }

  /** 24 random 3-channel 16×16 images. */
  static ImageSet tinyImages() {
    byte[] pixels = new byte[24 * 3 * 16 * 16];
    new SplittableRandom(5).nextBytes(pixels);
    return new ImageSet("synthetic", 24, 3, 16, 16, pixels, null, 0);
  }

  /** Contiguous runs of {@code total} items over {@code n} shards, sizes differing by at most 1. */
  static List<int[]> split(int total, int n) {
    List<int[]> out = new ArrayList<>();
    int start = 0;
    for (int s = 0; s < n; s++) {
      int size = total / n + (s < total % n ? 1 : 0);
      int[] r = new int[size];
      for (int i = 0; i < size; i++) {
        r[i] = start + i;
      }
      out.add(r);
      start += size;
    }
    return out;
  }

  private INDArray views(int[] images, int epoch) {
    float[] v = augmenter.views(set, images, config.k(), config.seed(), epoch);
    return Nd4j.createFromArray(v)
        .reshape((long) config.k() * images.length, set.channels(), set.height(), set.width());
  }

  /** The step of (epoch, step) at the current parameters, sharded as given. */
  Step step(int epoch, int stepInEpoch, ShardingMode mode, int shards) {
    int[] images = schedule.images(epoch, stepInEpoch);
    return mode == ShardingMode.IMAGES
        ? imagesStep(images, epoch, shards)
        : viewsStep(images, epoch, shards);
  }

  private Step imagesStep(int[] images, int epoch, int shards) {
    int n = (int) model.numParams();
    double[] acc = new double[n];
    double lossSum = 0;
    long pairs = 0;
    for (int[] positions : split(images.length, shards)) {
      int[] mine = new int[positions.length];
      for (int i = 0; i < mine.length; i++) {
        mine[i] = images[positions[i]];
      }
      StepStats s =
          model.computeGradients(views(mine, epoch), PairPlan.of(mine.length, config.k()));
      float[] g = model.gradientVector();
      for (int i = 0; i < n; i++) {
        acc[i] += (double) s.pairs() * g[i];
      }
      lossSum += s.lossSum();
      pairs += s.pairs();
    }
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (float) (acc[i] / pairs);
    }
    return new Step(lossSum / pairs, out);
  }

  private Step viewsStep(int[] images, int epoch, int shards) {
    int m = images.length;
    int k = config.k();
    INDArray all = views(images, epoch);
    List<int[]> parts = split(m * k, shards);
    int d = model.backbone().featureSize();
    INDArray features = Nd4j.create(DataType.FLOAT, (long) m * k, d);
    for (int[] rows : parts) {
      INDArray f = model.backbone().forward(rowsOf(all, rows), true);
      for (int i = 0; i < rows.length; i++) {
        features.putRow(rows[i], f.getRow(i));
      }
    }
    RelationalObjective.Output out = model.objective().forwardBackward(features, PairPlan.of(m, k));
    int n = (int) model.numParams();
    int nb = (int) model.backboneParams();
    boolean[] stats = model.statisticsMask();
    double[] acc = new double[nb];
    float[] head = n > nb ? model.head().gradients().toFloatVector() : new float[0];
    for (int[] rows : parts) {
      model.backbone().forward(rowsOf(all, rows), true);
      model.backbone().backward(out.featureGradient().getRows(rows));
      float[] g = model.backbone().gradients().toFloatVector();
      for (int i = 0; i < nb; i++) {
        acc[i] += stats[i] ? (double) rows.length * g[i] : g[i];
      }
    }
    float[] grad = new float[n];
    for (int i = 0; i < nb; i++) {
      grad[i] = (float) (stats[i] ? acc[i] / (m * k) : acc[i]);
    }
    System.arraycopy(head, 0, grad, nb, head.length);
    return new Step(out.stats().loss(), grad);
  }

  /** The contiguous rows of a [N, C, H, W] array. */
  private static INDArray rowsOf(INDArray x, int[] rows) {
    return x.get(
            NDArrayIndex.interval(rows[0], rows[rows.length - 1] + 1),
            NDArrayIndex.all(),
            NDArrayIndex.all(),
            NDArrayIndex.all())
        .dup();
  }

  /** Runs {@code steps} steps (gradient then Adam), returning each step's result. */
  List<Step> train(int steps, ShardingMode mode, int shards) {
    List<Step> out = new ArrayList<>();
    int perEpoch = schedule.stepsPerEpoch();
    for (int t = 0; t < steps; t++) {
      Step s = step(t / perEpoch, t % perEpoch, mode, shards);
      float[] p = model.paramsVector();
      adam.step(p, s.gradient());
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

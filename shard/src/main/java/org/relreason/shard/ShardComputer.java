package org.relreason.shard;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.augment.ViewAugmenter;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.method.DeepClusterModel;
import org.relreason.model.method.Methods;
import org.relreason.model.train.Batch;
import org.relreason.model.train.PhaseTimer;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.StepStats;

/**
 * The arithmetic of a worker, with no Vert.x in it: a replica of the model at some parameter
 * version, and the two kinds of shard computation. The replica is the configured method's {@link
 * PretrainModel}, built by the same factory as the single-process trainer's ({@link
 * Methods#build}), with the method's augmentation; views are rebuilt here from (seed, epoch, image
 * index, view index), and a method that trains on labels (the supervised baseline) reads them from
 * this worker's own copy of the dataset, so only indices travel. Which methods are accepted: {@link
 * ParameterServerSupport}. Not thread-safe: one caller at a time (the worker verticle runs it on a
 * single-threaded executor).
 */
public final class ShardComputer implements AutoCloseable {
  private final TrainConfig config;
  private final ImageSet set;
  private final PretrainModel model;
  private final ViewAugmenter augmenter;
  private long version = -1;
  private ViewsKey lastForward;

  /** Identifies the views whose activations the backbone holds after a forward. */
  public record ViewsKey(long step, long version, int shard) {}

  /** The result of an images-mode shard: statistics (sums) and the gradient of its mean loss. */
  public record ImagesOutput(StepStats stats, float[] gradient) {}

  /**
   * @param config the run (the model-defining keys must match the coordinator's)
   * @param set the training images
   * @param normalization the dataset's normalisation
   */
  public ShardComputer(TrainConfig config, ImageSet set, Normalization normalization) {
    this.config = Objects.requireNonNull(config, "config");
    this.set = Objects.requireNonNull(set, "set");
    ParameterServerSupport.checkMethod(config);
    this.model = newModel(config, set);
    AugmentationConfig aug =
        model.augmentation(AugmentationConfig.paper().withOutputSize(set.height(), set.width()));
    this.augmenter = new ViewAugmenter(aug, normalization, config.augmentThreads());
  }

  /**
   * The model of a run (the configured method's), initialised exactly as the single-process {@code
   * Trainer} does.
   */
  public static PretrainModel newModel(TrainConfig config, ImageSet set) {
    return Methods.build(config, set);
  }

  /** The replica (read-only use, e.g. for sizes). */
  public PretrainModel model() {
    return model;
  }

  /** Parameter version the replica holds (-1 before the first install). */
  public long version() {
    return version;
  }

  /** Installs the parameters of a version. */
  public void install(long newVersion, float[] params) {
    model.setParams(params);
    version = newVersion;
    lastForward = null;
  }

  /**
   * IMAGES mode: the method's step on the given images alone, as the single-process trainer runs it
   * on a minibatch (all the method's views of each image; for relational reasoning all pairs among
   * these images, {@code PairPlan.of(m, K)}): the gradient of the shard's mean loss.
   */
  public ImagesOutput images(int[] images, int epoch) {
    return images(images, epoch, null, null);
  }

  /**
   * As {@link #images(int[], int)}; for DeepCluster with the images' pseudo-labels and the class
   * weights of the whole assignment, as the coordinator clustered them for the epoch (required
   * then, ignored by the other methods).
   */
  public ImagesOutput images(int[] images, int epoch, int[] pseudoLabels, double[] classWeights) {
    if (model instanceof DeepClusterModel dc) {
      if (pseudoLabels == null || classWeights == null || classWeights.length == 0) {
        throw new IllegalArgumentException(
            "a DeepCluster shard needs its images' pseudo-labels and the class weights");
      }
      dc.setAssignment(images, pseudoLabels, classWeights);
    }
    float[] views = augmenter.views(set, images, model.viewsPerImage(), config.seed(), epoch);
    INDArray x = Nd4j.createFromArray(views).reshape(shape(views.length / viewLength()));
    StepStats stats =
        model.computeGradients(new Batch(x, images, labelsOf(images)), new PhaseTimer());
    x.close();
    lastForward = null;
    return new ImagesOutput(stats, model.gradientVector());
  }

  /** The true labels of the images when the method trains on them (as the trainer's), else null. */
  private int[] labelsOf(int[] images) {
    if (!model.usesLabels()) {
      return null;
    }
    int[] labels = new int[images.length];
    for (int n = 0; n < images.length; n++) {
      labels[n] = set.label(images[n]);
    }
    return labels;
  }

  /**
   * VIEWS mode, first half: backbone features {@code [rows.length, D]} (flattened) of the listed
   * rows of the minibatch's view-major view matrix (row {@code v*M + n} is view v of image n).
   */
  public float[] forwardRows(ViewsKey key, int[] images, int[] rows, int epoch) {
    INDArray features = model.backbone().forward(rowViews(images, rows, epoch), true);
    lastForward = key;
    return features.reshape(features.length()).toFloatVector();
  }

  /**
   * VIEWS mode, second half: back-propagates {@code dL/dfeatures} of those rows through the
   * backbone. Returns a full-length vector: the backbone's gradient (and batch-norm statistic
   * deltas), zeros over the head. If the backbone last ran another shard's forward (a worker that
   * took over a second shard), the forward is recomputed first; it is deterministic, so the result
   * is the same.
   */
  public float[] backwardRows(
      ViewsKey key, int[] images, int[] rows, int epoch, float[] featureGradients) {
    if (!key.equals(lastForward)) {
      forwardRows(key, images, rows, epoch);
    }
    int d = model.backbone().featureSize();
    if (featureGradients.length != rows.length * d) {
      throw new IllegalArgumentException(
          featureGradients.length + " feature gradients for " + rows.length + " rows of " + d);
    }
    model.backbone().backward(Nd4j.createFromArray(featureGradients).reshape(rows.length, d));
    lastForward = null;
    float[] out = new float[(int) model.numParams()];
    float[] backbone = model.backbone().gradients().toFloatVector();
    System.arraycopy(backbone, 0, out, 0, backbone.length);
    return out;
  }

  private INDArray rowViews(int[] images, int[] rows, int epoch) {
    int m = images.length;
    int len = viewLength();
    float[] out = new float[rows.length * len];
    for (int i = 0; i < rows.length; i++) {
      int row = rows[i];
      augmenter.augment(set, images[row % m], config.seed(), epoch, row / m, out, i * len);
    }
    return Nd4j.createFromArray(out).reshape(shape(rows.length));
  }

  private int viewLength() {
    return augmenter.viewLength(set);
  }

  private long[] shape(int n) {
    AugmentationConfig c = augmenter.config();
    return new long[] {n, set.channels(), c.outputHeight(), c.outputWidth()};
  }

  @Override
  public void close() {
    augmenter.close();
  }

  @Override
  public String toString() {
    return "ShardComputer[version "
        + version
        + ", params "
        + model.numParams()
        + ", last forward "
        + lastForward
        + ", images "
        + set.name()
        + " "
        + Arrays.toString(new int[] {set.size()})
        + "]";
  }
}

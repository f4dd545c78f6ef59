package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.LinearHead;
import org.relreason.model.train.Batch;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Seeds;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeepCluster (Caron et al. 2018) as the paper's baseline: before every epoch the whole training
 * set goes through the backbone (inference mode), its features are clustered ({@link Clustering}:
 * L2-normalise → PCA-whiten → k-means with k = 10 × classes) into pseudo-labels, and the linear
 * head is re-initialised (with its optimizer state); during the epoch the head classifies the
 * pseudo-labels with an inverse-frequency weighted cross-entropy, so that a few large clusters do
 * not dominate (the degenerate solution of section 3.3).
 */
public final class DeepClusterModel extends ClassifierModel {
  private static final Logger LOG = LoggerFactory.getLogger(DeepClusterModel.class);

  private final int clusters;
  private final long seed;
  private int[] pseudoLabels;
  private double[] weights;

  /**
   * @param backbone the backbone
   * @param clusters k of k-means (the paper: 10 × classes)
   * @param seed seed of the head's initialisations and of k-means
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public DeepClusterModel(Backbone backbone, int clusters, long seed, DataType dtype) {
    super(backbone, new LinearHead(backbone.featureSize(), clusters, seed, dtype), dtype);
    this.clusters = clusters;
    this.seed = seed;
  }

  @Override
  public MethodKind method() {
    return MethodKind.DEEPCLUSTER;
  }

  /**
   * One cross-entropy term per image. The loss is a class-weighted mean normalised by the sum of
   * the batch's class weights: under the parameter server's images sharding each shard normalises
   * by its own images' weights and the shards are combined by image count (as SimCLR's shards find
   * their negatives among their own images), which is the single-process result for one shard.
   */
  @Override
  public long lossTerms(int images) {
    return images;
  }

  @Override
  public int viewsPerImage() {
    return 1;
  }

  @Override
  public AugmentationConfig augmentation(AugmentationConfig paper) {
    return Methods.cropAndFlip(paper);
  }

  /** k of k-means. */
  public int clusters() {
    return clusters;
  }

  @Override
  public void beforeEpoch(
      int epoch, ImageSet train, Normalization normalization, Optimizer optimizer) {
    if (train.size() < clusters) {
      throw new ConfigException(
          "config key 'method': value 'deepcluster' clusters the training images into k = "
              + clusters
              + " pseudo-classes and "
              + train.name()
              + " has only "
              + train.size()
              + " (raise train-limit)");
    }
    long t0 = System.nanoTime();
    float[] f = new FeatureExtractor(normalization).features(backbone(), train);
    int d = backbone().featureSize();
    setPseudoLabels(Clustering.pseudoLabels(f, train.size(), d, clusters, Seeds.mix(seed, epoch)));
    reinitializeHead(epoch, optimizer);
    LOG.info(
        "epoch {}: {} images clustered into {} pseudo-classes in {} s",
        epoch,
        train.size(),
        clusters,
        String.format("%.1f", (System.nanoTime() - t0) / 1e9));
  }

  /** Sets the pseudo-label of every training image and the class weights they imply. */
  public void setPseudoLabels(int[] labels) {
    for (int y : labels) {
      if (y < 0 || y >= clusters) {
        throw new IllegalArgumentException("pseudo-label " + y + " outside [0, " + clusters + ")");
      }
    }
    pseudoLabels = labels.clone();
    weights = Clustering.inverseFrequencyWeights(pseudoLabels, clusters);
  }

  /** Draws a new head for epoch {@code epoch} and forgets the optimizer's state of the head. */
  public void reinitializeHead(int epoch, Optimizer optimizer) {
    classifier().reinitialize(Seeds.mix(seed, 1_000_000L + epoch));
    if (optimizer != null) {
      optimizer.reset((int) backboneParams(), (int) numParams());
    }
  }

  /** The current pseudo-labels of the given training images. */
  public int[] pseudoLabels(int[] images) {
    if (pseudoLabels == null) {
      throw new IllegalStateException("DeepCluster has not clustered yet");
    }
    int[] out = new int[images.length];
    for (int n = 0; n < images.length; n++) {
      out[n] = pseudoLabels[images[n]];
    }
    return out;
  }

  /**
   * Installs the pseudo-labels of some training images and the class weights of the whole
   * assignment, which is what a parameter-server worker gets with a task from the coordinator (the
   * one that clusters): a step on exactly these images then computes what it computes on the
   * coordinator's model. Replaces the previous assignment; other images have none.
   */
  public void setAssignment(int[] images, int[] labels, double[] classWeights) {
    if (images.length != labels.length || classWeights.length != clusters) {
      throw new IllegalArgumentException(
          labels.length
              + " pseudo-labels for "
              + images.length
              + " images, "
              + classWeights.length
              + " class weights for k = "
              + clusters);
    }
    int size = 0;
    for (int i : images) {
      size = Math.max(size, i + 1);
    }
    int[] assigned = new int[size];
    java.util.Arrays.fill(assigned, -1);
    for (int n = 0; n < images.length; n++) {
      if (labels[n] < 0 || labels[n] >= clusters) {
        throw new IllegalArgumentException(
            "pseudo-label " + labels[n] + " outside [0, " + clusters + ")");
      }
      assigned[images[n]] = labels[n];
    }
    for (double w : classWeights) {
      if (!(w >= 0) || Double.isInfinite(w)) {
        throw new IllegalArgumentException("class weight " + w + " is not finite and >= 0");
      }
    }
    pseudoLabels = assigned;
    weights = classWeights.clone();
  }

  /** The class weights of the current pseudo-labels. */
  public double[] classWeights() {
    return weights == null ? null : weights.clone();
  }

  @Override
  int[] targets(Batch batch) {
    if (pseudoLabels == null) {
      throw new IllegalStateException("DeepCluster step before the first clustering");
    }
    int[] y = new int[batch.m()];
    for (int n = 0; n < y.length; n++) {
      int image = batch.images()[n];
      y[n] = image < pseudoLabels.length ? pseudoLabels[image] : -1;
      if (y[n] < 0) {
        throw new IllegalStateException("DeepCluster has no pseudo-label for image " + image);
      }
    }
    return y;
  }
}

package org.relreason.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.config.MethodKind;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.Backbone;

/**
 * What {@link Trainer} drives: a backbone and the head of one pre-training method (relational
 * reasoning or a baseline) over ONE flat parameter vector {@code [backbone | head]}, and the step
 * of that method: views (and labels, if the method uses them) in → loss, and the flat gradient of
 * the mean loss over backbone and head. The backbone is kept after pre-training; the head is
 * dropped. Every method shares the data pipeline, the optimizer loop, checkpoints and the linear
 * evaluation.
 */
public interface PretrainModel {

  /** Which method this is. */
  MethodKind method();

  /** The backbone (kept after pre-training). */
  Backbone backbone();

  /** Number of values in the flat vector. */
  long numParams();

  /** Number of leading values that belong to the backbone. */
  long backboneParams();

  /** The live flat parameter vector {@code [1, n]}. */
  INDArray params();

  /** Positions of batch-norm running statistics in the flat vector. */
  boolean[] statisticsMask();

  /** The live flat gradient vector {@code [1, n]}, written by {@link #computeGradients}. */
  INDArray gradients();

  /** A copy of the parameters. */
  float[] paramsVector();

  /**
   * The parameters copied into {@code out}, which is returned: a training loop reuses one array
   * instead of allocating a vector per step (86 MB for ResNet-34).
   *
   * @throws IllegalArgumentException if {@code out}'s length is not {@link #numParams()}
   */
  float[] paramsVector(float[] out);

  /** A copy of the gradients of the last {@link #computeGradients}. */
  float[] gradientVector();

  /** As {@link #paramsVector(float[])}, for the gradients. */
  float[] gradientVector(float[] out);

  /** Overwrites the parameters. */
  void setParams(float[] values);

  /** Augmented views the trainer builds per image for one step. */
  int viewsPerImage();

  /**
   * How many terms the mean loss of a step on {@code images} images averages over: relational
   * reasoning's pairs {@code M·K(K−1)}, SimCLR's {@code 2M} anchors, RotationNet's {@code 4M}
   * rotated views, one per image for the supervised baseline and DeepCluster. The parameter server
   * (images sharding) weights each shard's gradient, the gradient of the shard's own mean loss, by
   * this count of the shard's images, so that the combined gradient is the gradient of the mean
   * over all the shards' terms (exactly the single-process gradient when there is one shard).
   */
  long lossTerms(int images);

  /** Whether a step needs the images' labels ({@link Batch#labels()}). */
  default boolean usesLabels() {
    return false;
  }

  /** The augmentation of this method, from the paper's (relational reasoning's) one. */
  default AugmentationConfig augmentation(AugmentationConfig paper) {
    return paper;
  }

  /** The optimizer of this method for a run of {@code totalSteps} steps. */
  default Optimizer optimizer(double learningRate, long totalSteps) {
    return new Adam((int) numParams(), learningRate, statisticsMask());
  }

  /**
   * Called before the first step of every epoch (and before the first step after a resume): where
   * DeepCluster re-clusters the training set and re-initialises its head.
   */
  default void beforeEpoch(
      int epoch, ImageSet train, Normalization normalization, Optimizer optimizer) {}

  /**
   * One forward/backward: fills the flat gradient with the gradient of the step's mean loss (and
   * the batch-norm statistic deltas); changes no parameter.
   */
  StepStats computeGradients(Batch batch, PhaseTimer timer);

  /** The step's mean loss, forward only with batch-norm in batch mode (for gradient checks). */
  double loss(Batch batch);
}

package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.config.MethodKind;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.LinearHead;
import org.relreason.model.train.Batch;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Sgd;

/**
 * The supervised baseline: a linear classifier on the backbone, cross-entropy on the true labels,
 * SGD with momentum 0.9 at 0.1, ×0.1 at 50% and 75% of the steps; one crop-and-flip view per image
 * (no colour jitter or grayscale).
 */
public final class SupervisedModel extends ClassifierModel {

  /**
   * @param backbone the backbone
   * @param classes number of classes of the dataset
   * @param seed seed of the classifier's initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public SupervisedModel(Backbone backbone, int classes, long seed, DataType dtype) {
    super(backbone, new LinearHead(backbone.featureSize(), classes, seed, dtype), dtype);
  }

  @Override
  public MethodKind method() {
    return MethodKind.SUPERVISED;
  }

  /** One cross-entropy term per image. */
  @Override
  public long lossTerms(int images) {
    return images;
  }

  @Override
  public int viewsPerImage() {
    return 1;
  }

  @Override
  public boolean usesLabels() {
    return true;
  }

  @Override
  public AugmentationConfig augmentation(AugmentationConfig paper) {
    return Methods.cropAndFlip(paper);
  }

  @Override
  public Optimizer optimizer(double learningRate, long totalSteps) {
    return Sgd.paperSupervised((int) numParams(), totalSteps, statisticsMask());
  }

  @Override
  int[] targets(Batch batch) {
    int[] labels = batch.labels();
    if (labels == null) {
      throw new IllegalStateException("the supervised baseline got a batch without labels");
    }
    return labels;
  }
}

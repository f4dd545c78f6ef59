package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.config.MethodKind;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.LinearHead;
import org.relreason.model.train.Batch;

/**
 * RotationNet (Gidaris et al. 2018): each image of the minibatch (one crop-and-flip view) is turned
 * by 0°, 90°, 180° and 270° ({@link Rotations}); a 4-way linear head on the backbone predicts the
 * rotation, trained with cross-entropy and Adam.
 */
public final class RotationModel extends ClassifierModel {

  /**
   * @param backbone the backbone (square inputs)
   * @param seed seed of the head's initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public RotationModel(Backbone backbone, long seed, DataType dtype) {
    super(backbone, new LinearHead(backbone.featureSize(), Rotations.COUNT, seed, dtype), dtype);
  }

  @Override
  public MethodKind method() {
    return MethodKind.ROTATION;
  }

  /** One cross-entropy term per rotated view: four per image. */
  @Override
  public long lossTerms(int images) {
    return (long) Rotations.COUNT * images;
  }

  @Override
  public int viewsPerImage() {
    return 1;
  }

  @Override
  public AugmentationConfig augmentation(AugmentationConfig paper) {
    return Methods.cropAndFlip(paper);
  }

  @Override
  INDArray inputs(Batch batch) {
    INDArray v = batch.views();
    long[] s = v.shape();
    if (s[2] != s[3]) {
      throw new IllegalArgumentException(
          "RotationNet needs square images, got " + s[2] + "x" + s[3]);
    }
    float[] rotated =
        Rotations.expand(
            v.dup().reshape(v.length()).toFloatVector(), (int) s[0], (int) s[1], (int) s[2]);
    return Nd4j.createFromArray(rotated)
        .castTo(v.dataType())
        .reshape(Rotations.COUNT * s[0], s[1], s[2], s[3]);
  }

  @Override
  int[] targets(Batch batch) {
    return Rotations.labels(batch.m());
  }
}

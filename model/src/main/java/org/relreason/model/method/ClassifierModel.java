package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.LinearHead;
import org.relreason.model.train.Batch;
import org.relreason.model.train.StepStats;

/**
 * A backbone with a linear classifier trained by softmax cross-entropy on per-row targets: the
 * supervised baseline (true labels), RotationNet (rotation labels) and DeepCluster (pseudo-labels)
 * differ only in their inputs, their targets and their class weights.
 */
abstract class ClassifierModel extends BaselineModel {
  private final LinearHead classifier;
  private final DataType dtype;

  ClassifierModel(Backbone backbone, LinearHead classifier, DataType dtype) {
    super(backbone, classifier, dtype);
    this.classifier = classifier;
    this.dtype = dtype;
  }

  /** The linear classifier. */
  LinearHead classifier() {
    return classifier;
  }

  /** The target class of every row of {@link #inputs}. */
  abstract int[] targets(Batch batch);

  /** Class weights of the loss, or null for the plain mean. */
  double[] classWeights() {
    return null;
  }

  @Override
  Objective objective(INDArray features, Batch batch, boolean backward) {
    INDArray logits = classifier.forward(features);
    SoftmaxCrossEntropy.Result r =
        SoftmaxCrossEntropy.evaluate(logits.toDoubleMatrix(), targets(batch), classWeights());
    StepStats stats = StepStats.ofClassification(r.loss(), r.n(), r.correct());
    if (!backward) {
      return new Objective(stats, null);
    }
    INDArray dLogits = Nd4j.createFromArray(r.gradient()).castTo(dtype);
    return new Objective(stats, classifier.backward(dLogits));
  }
}

package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.LocalFeatureBackbone;
import org.relreason.model.nn.ParamBlock;
import org.relreason.model.train.Batch;
import org.relreason.model.train.FlatModel;
import org.relreason.model.train.Phase;
import org.relreason.model.train.PhaseTimer;
import org.relreason.model.train.StepStats;

/**
 * The common part of the baselines: a backbone and one head in ONE flat parameter vector {@code
 * [backbone | head]} (as {@code RelationalModel}), and the step "views → backbone features → the
 * method's objective on the features → backbone backward". A subclass supplies the objective.
 */
abstract class BaselineModel extends FlatModel {
  private final ParamBlock head;

  /**
   * The objective's answer on the features of a step.
   *
   * @param stats loss and accuracy of the step
   * @param featureGradient {@code dL/dfeatures}, or null for a forward-only evaluation
   * @param localBlock which of the backbone's local maps {@code localGradient} is on ({@link
   *     LocalFeatureBackbone}, from 1)
   * @param localGradient {@code dL/dlocal} on that local feature map, or null when the objective
   *     does not read one
   */
  record Objective(
      StepStats stats, INDArray featureGradient, int localBlock, INDArray localGradient) {
    Objective(StepStats stats, INDArray featureGradient) {
      this(stats, featureGradient, 0, null);
    }
  }

  BaselineModel(Backbone backbone, ParamBlock head, DataType dtype) {
    super(backbone, head, dtype);
    this.head = head;
  }

  /**
   * The backbone's input of a step: the batch's views, or something made from them (RotationNet
   * rotates them). Rows are what {@link #objective} receives features of.
   */
  INDArray inputs(Batch batch) {
    return batch.views();
  }

  /**
   * The method's objective on the features {@code [rows, D]} of {@link #inputs}: its loss, and when
   * {@code backward} its head gradient (in the head's own array) and {@code dL/dfeatures}.
   */
  abstract Objective objective(INDArray features, Batch batch, boolean backward);

  @Override
  public StepStats computeGradients(Batch batch, PhaseTimer timer) {
    timer.start();
    INDArray x = inputs(batch);
    Backbone backbone = backbone();
    INDArray features = backbone.forward(x, true);
    timer.stop(Phase.BACKBONE_FORWARD);
    Objective out = objective(features, batch, true);
    timer.stop(Phase.HEAD);
    if (out.localGradient() != null) {
      ((LocalFeatureBackbone) backbone)
          .backward(out.featureGradient(), out.localBlock(), out.localGradient());
    } else {
      backbone.backward(out.featureGradient());
    }
    collectGradients();
    timer.stop(Phase.BACKBONE_BACKWARD);
    if (x != batch.views()) {
      x.close();
    }
    return out.stats();
  }

  @Override
  public double loss(Batch batch) {
    return objective(backbone().forward(inputs(batch), true), batch, false).stats().loss();
  }

  /** The method's head (dropped after pre-training). */
  public ParamBlock head() {
    return head;
  }
}

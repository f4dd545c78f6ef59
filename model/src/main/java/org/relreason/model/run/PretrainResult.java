package org.relreason.model.run;

import java.util.List;
import java.util.Map;
import org.relreason.model.train.StepStats;

/**
 * What pre-training did.
 *
 * @param steps steps run by this call
 * @param globalStep steps completed in total (including any before a resume)
 * @param seconds wall time of this call
 * @param viewsPerSecond training throughput (augmented views per second)
 * @param lastStep statistics of the last step (null when no step ran)
 * @param history loss and pair accuracies per epoch
 * @param phaseSeconds wall time per phase of the step
 */
public record PretrainResult(
    long steps,
    long globalStep,
    double seconds,
    double viewsPerSecond,
    StepStats lastStep,
    List<EpochStats> history,
    Map<String, Double> phaseSeconds) {

  /**
   * Means over one epoch's steps.
   *
   * @param epoch the epoch
   * @param loss mean loss
   * @param positiveAccuracy fraction of positives scored positive
   * @param negativeAccuracy fraction of negatives scored negative
   */
  public record EpochStats(
      int epoch, double loss, double positiveAccuracy, double negativeAccuracy) {}
}

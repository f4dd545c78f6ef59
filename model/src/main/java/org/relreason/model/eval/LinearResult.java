package org.relreason.model.eval;

import java.util.List;
import org.relreason.model.config.ProbeKind;

/**
 * Outcome of a probe on frozen features (the paper's linear evaluation is the {@code adam} probe).
 *
 * @param testTop1 top-1 accuracy on the test features, in [0, 1] (the number the paper reports)
 * @param trainTop1 top-1 accuracy on the training features after training
 * @param finalTrainLoss the Adam, SGD and MLP probes: mean cross-entropy over the examples of the
 *     last epoch, each taken at the step that used it (what a training log would print); L-BFGS:
 *     the regularised objective at the optimum on the whole training set
 * @param epochs epochs run (L-BFGS: iterations of the final fit)
 * @param seconds wall time of training and scoring (the L2 search included)
 * @param probe the probe's id ({@link ProbeKind#id()})
 * @param l2 the L2 strength used (L-BFGS: the one chosen on the validation split), or null
 * @param l2Search each L2 strength tried and its validation top-1 (L-BFGS), else empty
 * @param validationImages training examples held out to choose L2 (0 when nothing was chosen)
 */
public record LinearResult(
    double testTop1,
    double trainTop1,
    double finalTrainLoss,
    int epochs,
    double seconds,
    String probe,
    Double l2,
    List<L2Trial> l2Search,
    int validationImages) {

  public LinearResult {
    l2Search = List.copyOf(l2Search);
  }

  /** A result of a probe that chose nothing on a validation split. */
  public LinearResult(
      double testTop1,
      double trainTop1,
      double finalTrainLoss,
      int epochs,
      double seconds,
      ProbeKind probe) {
    this(testTop1, trainTop1, finalTrainLoss, epochs, seconds, probe.id(), null, List.of(), 0);
  }

  /**
   * One candidate of the L2 search.
   *
   * @param l2 the strength
   * @param validationTop1 top-1 on the validation split of the model fit on the rest
   */
  public record L2Trial(double l2, double validationTop1) {}
}

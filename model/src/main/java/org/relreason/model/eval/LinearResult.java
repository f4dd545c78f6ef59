package org.relreason.model.eval;

/**
 * Outcome of a linear evaluation.
 *
 * @param testTop1 top-1 accuracy on the test features, in [0, 1] (the number the paper reports)
 * @param trainTop1 top-1 accuracy on the training features after the last epoch
 * @param finalTrainLoss mean cross-entropy over the examples of the last epoch, each taken at the
 *     step that used it (what a training log would print)
 * @param epochs epochs run
 * @param seconds wall time of training and scoring
 */
public record LinearResult(
    double testTop1, double trainTop1, double finalTrainLoss, int epochs, double seconds) {}

package org.relreason.model.train;

/**
 * What one forward/backward over a set of pairs produced, as sums so that shards add up exactly.
 * The baselines report through the same record ({@link #ofClassification}): their samples count as
 * "pairs" and "positives", and the positive accuracy is the accuracy of their pretext task.
 *
 * @param lossSum sum of per-pair losses (the loss is {@code lossSum / pairs})
 * @param pairs number of pair rows
 * @param positives positive pairs
 * @param positivesCorrect positives with logit &gt; 0
 * @param negatives negative pairs
 * @param negativesCorrect negatives with logit ≤ 0
 */
public record StepStats(
    double lossSum,
    long pairs,
    long positives,
    long positivesCorrect,
    long negatives,
    long negativesCorrect) {

  /** Statistics of a classification-like objective: mean loss over n samples, correct of them. */
  public static StepStats ofClassification(double meanLoss, long n, long correct) {
    return new StepStats(meanLoss * n, n, n, correct, 0, 0);
  }

  /** Mean loss over the pairs. */
  public double loss() {
    return pairs == 0 ? Double.NaN : lossSum / pairs;
  }

  /** Fraction of positives scored positive. */
  public double positiveAccuracy() {
    return positives == 0 ? Double.NaN : (double) positivesCorrect / positives;
  }

  /** Fraction of negatives scored negative. */
  public double negativeAccuracy() {
    return negatives == 0 ? Double.NaN : (double) negativesCorrect / negatives;
  }

  /** Sum of two shards' statistics. */
  public StepStats plus(StepStats o) {
    return new StepStats(
        lossSum + o.lossSum,
        pairs + o.pairs,
        positives + o.positives,
        positivesCorrect + o.positivesCorrect,
        negatives + o.negatives,
        negativesCorrect + o.negativesCorrect);
  }
}

package org.relreason.model.nn;

/**
 * Binary focal loss on logits, mean over pairs (Lin et al. 2017, eq. 5, with the α-balanced form):
 * {@code L = mean( α_t · (1 − p_t)^γ · −log p_t )}, where {@code p_t = σ(x)} for a positive and
 * {@code 1 − σ(x)} for a negative, {@code α_t = α} for a positive and {@code 1 − α} for a negative.
 * With {@code γ = 0, α = 0.5} it is half the binary cross-entropy, so {@link #bce()} uses α_t = 1.
 *
 * <p>Gradient: with {@code z = x} for a positive and {@code −x} for a negative, {@code p_t = σ(z)},
 * {@code dL/dz = α_t (1 − p_t)^γ (γ p_t log p_t − (1 − p_t)) / P} and {@code dL/dx = ±dL/dz}.
 * Computed in double on the CPU: P is at most a few tens of thousands of rows.
 */
public final class FocalLoss {
  private final double gamma;
  private final double alpha;
  private final boolean balanced;

  private FocalLoss(double gamma, double alpha, boolean balanced) {
    if (!(gamma >= 0 && gamma <= 10)) {
      throw new IllegalArgumentException("focal gamma must be in [0, 10], got " + gamma);
    }
    if (!(alpha > 0 && alpha < 1)) {
      throw new IllegalArgumentException("focal alpha must be in (0, 1), got " + alpha);
    }
    this.gamma = gamma;
    this.alpha = alpha;
    this.balanced = balanced;
  }

  /** The paper's focal loss with the given γ and α. */
  public static FocalLoss focal(double gamma, double alpha) {
    return new FocalLoss(gamma, alpha, true);
  }

  /** Plain binary cross-entropy. */
  public static FocalLoss bce() {
    return new FocalLoss(0, 0.5, false);
  }

  /** Loss for a config's choice. */
  public static FocalLoss of(LossKind kind, double gamma, double alpha) {
    return kind == LossKind.FOCAL ? focal(gamma, alpha) : bce();
  }

  /** Result of one evaluation: the mean loss, its gradient per logit, and pair accuracies. */
  public record Result(
      double loss,
      double[] gradient,
      int positives,
      int positivesCorrect,
      int negatives,
      int negativesCorrect) {}

  /** Loss and {@code dL/dlogit} for logits and 0/1 targets of equal length. */
  public Result evaluate(double[] logits, float[] targets) {
    int p = logits.length;
    if (targets.length != p) {
      throw new IllegalArgumentException(p + " logits for " + targets.length + " targets");
    }
    double[] grad = new double[p];
    double sum = 0;
    int pos = 0;
    int posOk = 0;
    int neg = 0;
    int negOk = 0;
    for (int r = 0; r < p; r++) {
      boolean positive = targets[r] > 0.5f;
      double x = logits[r];
      double z = positive ? x : -x;
      // log σ(z) = −softplus(−z), stable for large |z|
      double logPt = -softplus(-z);
      double pt = Math.exp(logPt);
      double a = balanced ? (positive ? alpha : 1 - alpha) : 1;
      double oneMinus = 1 - pt;
      double mod = gamma == 0 ? 1 : Math.pow(oneMinus, gamma);
      sum += -a * mod * logPt;
      // (1 − p_t)^(γ−1) is unbounded for γ < 1 as p_t → 1, but it is multiplied by (1 − p_t)
      double dz = 0;
      if (oneMinus > 0) {
        double modMinus1 = gamma == 0 ? 0 : gamma * Math.pow(oneMinus, gamma - 1);
        dz = a * (modMinus1 * pt * logPt - mod) * oneMinus;
      }
      grad[r] = (positive ? dz : -dz) / p;
      if (positive) {
        pos++;
        posOk += x > 0 ? 1 : 0;
      } else {
        neg++;
        negOk += x <= 0 ? 1 : 0;
      }
    }
    return new Result(sum / p, grad, pos, posOk, neg, negOk);
  }

  private static double softplus(double v) {
    return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
  }
}

package org.relreason.model.method;

/**
 * Deep InfoMax's loss terms on discriminator scores (Hjelm et al., ICLR 2019), in double on the
 * CPU, as the relational-reasoning paper's {@code methods/deepinfomax.py} computes them.
 *
 * <ul>
 *   <li>Local mutual information, Jensen–Shannon estimator (DIM's eq. 4, appendix A.1): with scores
 *       {@code T} of matched (global, local) pairs P and of mismatched pairs N, the lower bound
 *       {@code Î = E_P[−sp(−T)] − E_N[sp(T)]} ({@code sp} = softplus); the loss is {@code −β Î}.
 *       Matched pairs should score high, mismatched ones low.
 *   <li>Prior matching (DIM's eq. 7): a discriminator {@code D = σ(s)} tells samples of the prior
 *       (uniform on [0, 1)) from the encoder's features; the loss is {@code −γ (E_prior[log D] +
 *       E_features[log(1 − D)])}, written {@code γ (E_prior[sp(−s)] + E_features[sp(s)])} because
 *       {@code log σ(s) = −sp(−s)} and {@code log(1 − σ(s)) = −sp(s)} (finite where PyTorch's
 *       {@code log(sigmoid(·))} would give −∞).
 * </ul>
 *
 * <p>Both terms are "positives should score high, negatives low" with a softplus on each side, so
 * they share {@link #softplusPair}.
 */
public final class InfoMaxLoss {
  private InfoMaxLoss() {}

  /**
   * A loss term and its gradient.
   *
   * @param loss the weighted loss
   * @param positiveGradient {@code dL/dscore} of each positive (matched pair, prior sample)
   * @param negativeGradient {@code dL/dscore} of each negative (mismatched pair, feature)
   * @param positivesAbove positives with a score &gt; 0
   * @param negativesBelow negatives with a score ≤ 0
   */
  public record Result(
      double loss,
      double[] positiveGradient,
      double[] negativeGradient,
      int positivesAbove,
      int negativesBelow) {}

  /** The Jensen–Shannon mutual-information estimate {@code E_P[−sp(−T)] − E_N[sp(T)]}. */
  public static double jsdEstimate(double[] positives, double[] negatives) {
    return -softplusPair(positives, negatives, 1).loss();
  }

  /** The local term {@code −β Î_JSD} of matched and mismatched pair scores. */
  public static Result local(double[] positives, double[] negatives, double beta) {
    return softplusPair(positives, negatives, beta);
  }

  /**
   * The prior term {@code −γ (mean log σ(s_prior) + mean log(1 − σ(s_features)))}.
   *
   * @param priorLogits the prior discriminator's logits on samples of the prior
   * @param featureLogits its logits on the encoder's features
   */
  public static Result prior(double[] priorLogits, double[] featureLogits, double gamma) {
    return softplusPair(priorLogits, featureLogits, gamma);
  }

  /**
   * {@code w (mean sp(−p) + mean sp(n))} and its gradient: {@code −w σ(−p) / |p|} per positive,
   * {@code w σ(n) / |n|} per negative.
   */
  static Result softplusPair(double[] positives, double[] negatives, double weight) {
    if (positives.length == 0 || negatives.length == 0) {
      throw new IllegalArgumentException(
          positives.length + " positive and " + negatives.length + " negative scores");
    }
    double[] gp = new double[positives.length];
    double[] gn = new double[negatives.length];
    double sp = 0;
    int above = 0;
    for (int i = 0; i < positives.length; i++) {
      sp += softplus(-positives[i]);
      gp[i] = -weight * sigmoid(-positives[i]) / positives.length;
      above += positives[i] > 0 ? 1 : 0;
    }
    double sn = 0;
    int below = 0;
    for (int i = 0; i < negatives.length; i++) {
      sn += softplus(negatives[i]);
      gn[i] = weight * sigmoid(negatives[i]) / negatives.length;
      below += negatives[i] <= 0 ? 1 : 0;
    }
    double loss = weight * (sp / positives.length + sn / negatives.length);
    return new Result(loss, gp, gn, above, below);
  }

  /** {@code log(1 + e^x)} without overflow. */
  static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }
}

package org.relreason.model.method;

/**
 * Softmax cross-entropy on logits, the loss of the supervised, RotationNet and DeepCluster
 * baselines. With class weights it is PyTorch's {@code CrossEntropyLoss(weight=w)}: {@code L = Σ_n
 * w_{y_n} (−log p_{n,y_n}) / Σ_n w_{y_n}}; without, the plain mean. Computed in double on the CPU
 * (a step has at most a few hundred rows of at most a few hundred classes).
 */
public final class SoftmaxCrossEntropy {
  private SoftmaxCrossEntropy() {}

  /**
   * @param loss the (weighted) mean loss
   * @param gradient {@code dL/dlogits}, one row per sample
   * @param correct samples whose largest logit is their label
   * @param n samples
   */
  public record Result(double loss, double[][] gradient, int correct, int n) {}

  /**
   * Loss and gradient of {@code logits [N][C]} for labels in {@code [0, C)}; weights may be null.
   */
  public static Result evaluate(double[][] logits, int[] labels, double[] weights) {
    int n = logits.length;
    if (labels.length != n) {
      throw new IllegalArgumentException(n + " rows of logits for " + labels.length + " labels");
    }
    double[][] grad = new double[n][];
    double[] w = new double[n];
    double weightSum = 0;
    for (int r = 0; r < n; r++) {
      int y = labels[r];
      if (y < 0 || y >= logits[r].length) {
        throw new IllegalArgumentException(
            "label " + y + " of row " + r + " outside [0, " + logits[r].length + ")");
      }
      w[r] = weights == null ? 1 : weights[y];
      weightSum += w[r];
    }
    if (!(weightSum > 0)) {
      throw new IllegalArgumentException("the labels of the batch all have weight 0");
    }
    double loss = 0;
    int correct = 0;
    for (int r = 0; r < n; r++) {
      double[] x = logits[r];
      int y = labels[r];
      double max = Double.NEGATIVE_INFINITY;
      int arg = 0;
      for (int c = 0; c < x.length; c++) {
        if (x[c] > max) {
          max = x[c];
          arg = c;
        }
      }
      double sum = 0;
      for (double v : x) {
        sum += Math.exp(v - max);
      }
      double logZ = max + Math.log(sum);
      loss += w[r] * (logZ - x[y]);
      correct += arg == y ? 1 : 0;
      double scale = w[r] / weightSum;
      grad[r] = new double[x.length];
      for (int c = 0; c < x.length; c++) {
        grad[r][c] = scale * (Math.exp(x[c] - logZ) - (c == y ? 1 : 0));
      }
    }
    return new Result(loss / weightSum, grad, correct, n);
  }
}

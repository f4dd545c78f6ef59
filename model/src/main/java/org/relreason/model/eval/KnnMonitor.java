package org.relreason.model.eval;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.features.NdArrays;

/**
 * The weighted kNN monitor of Wu et al. 2018 (InstDisc, "Unsupervised Feature Learning via
 * Non-Parametric Instance Discrimination"): each test feature votes with its {@code k} most
 * cosine-similar training features, each weighted {@code exp(sim / tau)}, and takes the class of
 * the largest summed weight.
 *
 * <p>Ties are broken deterministically: among training features of equal similarity at the k-th
 * place the lower training index is kept, and among classes of equal summed weight the lower class
 * wins. A zero feature vector stays zero after normalisation (similarity 0 to everything).
 *
 * <p>Similarities come from an ND4J matrix product over chunks of test rows, sized so that a chunk
 * of the similarity matrix stays near 32 MB whatever the training set; the top k of each row is
 * then selected with a bounded heap, {@code O(n log k)} rather than a sort.
 */
public final class KnnMonitor {
  /** Neighbours per vote in InstDisc. */
  public static final int DEFAULT_K = 200;

  /** Temperature of the vote weights in InstDisc (also their NCE temperature). */
  public static final double DEFAULT_TEMPERATURE = 0.1;

  /** Similarity values per chunk: 32 MB of floats. */
  private static final int CHUNK_VALUES = 1 << 23;

  private final int k;
  private final double temperature;
  private final int chunkValues;

  /** A monitor with k = 200 and tau = 0.1. */
  public KnnMonitor() {
    this(DEFAULT_K, DEFAULT_TEMPERATURE);
  }

  /**
   * @param k neighbours per vote, at least 1; a training set smaller than k votes with all of it
   * @param temperature tau of the weights {@code exp(sim / tau)}, positive
   */
  public KnnMonitor(int k, double temperature) {
    this(k, temperature, CHUNK_VALUES);
  }

  /**
   * As {@link #KnnMonitor(int, double)} with another chunk size, so tests can force many chunks.
   */
  KnnMonitor(int k, double temperature, int chunkValues) {
    if (k < 1) {
      throw new IllegalArgumentException("k must be >= 1, got " + k);
    }
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be positive and finite, got " + temperature);
    }
    this.k = k;
    this.temperature = temperature;
    this.chunkValues = Math.max(1, chunkValues);
  }

  /** Top-1 accuracy of the kNN vote on {@code test}. */
  public double top1(FeatureSet train, FeatureSet test) {
    int[] predicted = predict(train, test);
    int correct = 0;
    for (int i = 0; i < predicted.length; i++) {
      if (predicted[i] == test.labels()[i]) {
        correct++;
      }
    }
    return (double) correct / predicted.length;
  }

  /** Predicted class of every test feature. */
  public int[] predict(FeatureSet train, FeatureSet test) {
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    train.requireCompatible(test, "kNN");
    int d = train.d();
    int rows = Math.max(1, Math.min(test.n(), chunkValues / train.n()));
    int[] predicted = new int[test.n()];
    TopK topK = new TopK(Math.min(k, train.n()));
    double[] votes = new double[train.numClasses()];
    float[] sims = new float[rows * train.n()];
    INDArray bank = matrix(unitRows(train.features(), d, 0, train.n()), train.n(), d);
    try {
      for (int from = 0; from < test.n(); from += rows) {
        int to = Math.min(test.n(), from + rows);
        similarities(bank, unitRows(test.features(), d, from, to), to - from, d, sims);
        for (int r = 0; r < to - from; r++) {
          topK.select(sims, r * train.n(), train.n());
          predicted[from + r] = vote(topK, sims, r * train.n(), train.labels(), votes);
        }
      }
    } finally {
      bank.close();
    }
    return predicted;
  }

  /** Cosine similarities {@code [m, n]}, row-major into {@code out}, of m unit queries. */
  private static void similarities(INDArray bank, float[] queries, int m, int d, float[] out) {
    try (INDArray q = matrix(queries, m, d);
        INDArray s = Nd4j.gemm(q, bank, false, true)) {
      NdArrays.rowMajor(s, out);
    }
  }

  /** Class with the largest summed {@code exp(sim / tau)} over the selected neighbours. */
  private int vote(TopK topK, float[] sims, int offset, int[] labels, double[] votes) {
    Arrays.fill(votes, 0.0);
    // Shifting every exponent by the best similarity scales all weights alike (the argmax is
    // unchanged) and keeps exp() finite for any temperature.
    double best = topK.bestValue(sims, offset);
    for (int i = 0; i < topK.size(); i++) {
      int j = topK.index(i);
      votes[labels[j]] += Math.exp((sims[offset + j] - best) / temperature);
    }
    int cls = 0;
    for (int c = 1; c < votes.length; c++) {
      if (votes[c] > votes[cls]) {
        cls = c;
      }
    }
    return cls;
  }

  private static INDArray matrix(float[] values, int rows, int cols) {
    return Nd4j.createFromArray(values).reshape('c', rows, cols);
  }

  /** Rows {@code [from, to)} of a row-major matrix, each scaled to unit L2 norm. */
  static float[] unitRows(float[] x, int d, int from, int to) {
    float[] out = new float[(to - from) * d];
    for (int r = from; r < to; r++) {
      double sq = 0;
      for (int j = 0; j < d; j++) {
        sq += (double) x[r * d + j] * x[r * d + j];
      }
      if (!Double.isFinite(sq)) {
        throw new IllegalArgumentException("feature row " + r + " is not finite");
      }
      double inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
      for (int j = 0; j < d; j++) {
        out[(r - from) * d + j] = (float) (x[r * d + j] * inv);
      }
    }
    return out;
  }
}

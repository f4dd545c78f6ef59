package org.relreason.model.eval;

import java.util.Arrays;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.features.NdArrays;

/**
 * Image retrieval on frozen features: for each query, the {@code k} gallery items of largest cosine
 * similarity, and the top-k precision by class (the share of those k neighbours whose class is the
 * query's, averaged over the queries). In the paper's protocol the queries are test images and the
 * gallery is the training split, so a query never finds itself.
 *
 * <p>Similarities are ND4J matrix products over chunks of queries (as {@link KnnMonitor}); the
 * selection is {@link TopK}, so ties go to the lower gallery index and the result is deterministic.
 * The dashboard's retrieval panel, whose queries come from its own gallery, ranks with {@link
 * #rank}, which leaves the query out.
 */
public final class ImageRetrieval {
  /** Neighbours per query in the paper-style precision figure. */
  public static final int DEFAULT_K = 10;

  /** Similarity values per chunk: 32 MB of floats. */
  private static final int CHUNK_VALUES = 1 << 23;

  private ImageRetrieval() {}

  /**
   * The neighbours of every query.
   *
   * @param gallery the searched features
   * @param queries the query features (same d)
   * @param k neighbours per query, at least 1 and at most the gallery size
   * @return per query, k gallery indices and their similarities, nearest first
   */
  public static Neighbours search(FeatureSet gallery, FeatureSet queries, int k) {
    Objects.requireNonNull(gallery, "gallery");
    Objects.requireNonNull(queries, "queries");
    if (gallery.d() != queries.d()) {
      throw new IllegalArgumentException(
          "retrieval: gallery d=" + gallery.d() + " but queries d=" + queries.d());
    }
    if (k < 1 || k > gallery.n()) {
      throw new IllegalArgumentException(
          "retrieval k must be in [1, " + gallery.n() + "] (the gallery size), got " + k);
    }
    int d = gallery.d();
    int n = gallery.n();
    int rows = Math.max(1, Math.min(queries.n(), CHUNK_VALUES / n));
    int[][] index = new int[queries.n()][];
    float[][] sim = new float[queries.n()][];
    float[] sims = new float[rows * n];
    TopK topK = new TopK(k);
    try (INDArray bank =
        Nd4j.createFromArray(KnnMonitor.unitRows(gallery.features(), d, 0, n)).reshape('c', n, d)) {
      for (int from = 0; from < queries.n(); from += rows) {
        int to = Math.min(queries.n(), from + rows);
        float[] q = KnnMonitor.unitRows(queries.features(), d, from, to);
        try (INDArray qm = Nd4j.createFromArray(q).reshape('c', to - from, d);
            INDArray s = Nd4j.gemm(qm, bank, false, true)) {
          NdArrays.rowMajor(s, sims);
        }
        for (int r = 0; r < to - from; r++) {
          topK.select(sims, r * n, n);
          index[from + r] = sorted(topK, sims, r * n);
          sim[from + r] = new float[k];
          for (int i = 0; i < k; i++) {
            sim[from + r][i] = sims[r * n + index[from + r][i]];
          }
        }
      }
    }
    return new Neighbours(index, sim);
  }

  /** Top-k precision by class: the mean over queries of the share of neighbours of its class. */
  public static double precision(Neighbours found, int[] galleryLabels, int[] queryLabels) {
    if (found.index().length != queryLabels.length) {
      throw new IllegalArgumentException(
          found.index().length + " neighbour lists for " + queryLabels.length + " query labels");
    }
    double sum = 0;
    for (int q = 0; q < queryLabels.length; q++) {
      int[] nb = found.index()[q];
      int same = 0;
      for (int j : nb) {
        if (galleryLabels[j] == queryLabels[q]) {
          same++;
        }
      }
      sum += (double) same / nb.length;
    }
    return sum / queryLabels.length;
  }

  /**
   * The other rows of {@code unitRows} ranked by cosine similarity to row {@code query} (rows
   * already of unit length), nearest first, ties by index. The query is left out of its own
   * ranking: the dashboard's panel searches the split its queries come from, where the query would
   * otherwise always find itself first at similarity 1. Another row with the same features (a
   * duplicate image) stays in.
   */
  public static int[] rank(float[][] unitRows, int query) {
    if (query < 0 || query >= unitRows.length) {
      throw new IllegalArgumentException(
          "query " + query + " is outside the gallery of " + unitRows.length + " images");
    }
    double[] sim = new double[unitRows.length];
    Integer[] order = new Integer[unitRows.length - 1];
    int next = 0;
    for (int i = 0; i < unitRows.length; i++) {
      double dot = 0;
      for (int j = 0; j < unitRows[i].length; j++) {
        dot += (double) unitRows[query][j] * unitRows[i][j];
      }
      sim[i] = dot;
      if (i != query) {
        order[next++] = i;
      }
    }
    Arrays.sort(
        order,
        (a, b) -> {
          int c = Double.compare(sim[b], sim[a]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    return Arrays.stream(order).mapToInt(Integer::intValue).toArray();
  }

  /** The selected indices, nearest first (ties: lower index first). */
  private static int[] sorted(TopK topK, float[] sims, int offset) {
    Integer[] idx = new Integer[topK.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = topK.index(i);
    }
    Arrays.sort(
        idx,
        (a, b) -> {
          int c = Float.compare(sims[offset + b], sims[offset + a]);
          return c != 0 ? c : Integer.compare(a, b);
        });
    return Arrays.stream(idx).mapToInt(Integer::intValue).toArray();
  }

  /**
   * Neighbours of each query.
   *
   * @param index per query, gallery indices nearest first
   * @param similarity per query, the cosine similarities of those indices
   */
  public record Neighbours(int[][] index, float[][] similarity) {}
}

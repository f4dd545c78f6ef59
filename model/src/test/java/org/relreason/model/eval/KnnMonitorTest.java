package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

class KnnMonitorTest {
  private static final float SIN60 = (float) Math.sqrt(0.75);

  /**
   * Train points on the unit circle: class 0 at 0 degrees, class 1 at +60 and -60 degrees, class 2
   * at 180 degrees.
   */
  private static final FeatureSet CIRCLE =
      new FeatureSet(
          new float[] {1, 0, 0.5f, SIN60, 0.5f, -SIN60, -1, 0}, new int[] {0, 1, 1, 2}, 4, 2, 3);

  private static FeatureSet queries(int[] labels, float... xy) {
    return new FeatureSet(xy, labels, labels.length, 2, 3);
  }

  @Test
  void weightedVoteOverridesTheMajority() {
    // Query at 0 degrees (norm 3: it is normalised). Its 3 neighbours: class 0 at sim 1, class 1
    // twice at sim 0.5. Majority says 1. At tau = 0.1 the weights are e^10 = 22026 against
    // 2 e^5 = 297, so class 0; at tau = 10 they are e^0.1 = 1.11 against 2 e^0.05 = 2.10, class 1.
    // The second query, at 90 degrees, has class 1 (sim 0.87) as its unique nearest: class 1.
    FeatureSet q = queries(new int[] {0, 1}, 3, 0, 0, 1);

    assertThat(new KnnMonitor(3, 0.1).predict(CIRCLE, q)).containsExactly(0, 1);
    assertThat(new KnnMonitor(3, 10).predict(CIRCLE, q)).containsExactly(1, 1);
    assertThat(new KnnMonitor(3, 0.1).top1(CIRCLE, q)).isEqualTo(1.0);
    assertThat(new KnnMonitor(3, 10).top1(CIRCLE, q)).isEqualTo(0.5);
  }

  @Test
  void kLargerThanTheTrainSetVotesWithAllOfIt() {
    // Query at 180 degrees: all 4 points vote. Sharp weights pick the coincident point (class 2);
    // near-flat weights (tau = 1000) give the plain majority of the whole set (class 1).
    FeatureSet q = queries(new int[] {2}, -1, 0);

    assertThat(new KnnMonitor(200, 0.1).predict(CIRCLE, q)).containsExactly(2);
    assertThat(new KnnMonitor(200, 1000).predict(CIRCLE, q)).containsExactly(1);
  }

  @Test
  void equalSimilaritiesKeepTheLowerTrainIndex() {
    float[] same = {1, 0, 1, 0};
    FeatureSet oneThenZero = new FeatureSet(same, new int[] {1, 0}, 2, 2, 2);
    FeatureSet zeroThenOne = new FeatureSet(same, new int[] {0, 1}, 2, 2, 2);
    FeatureSet q = new FeatureSet(new float[] {1, 0}, new int[] {0}, 1, 2, 2);

    assertThat(new KnnMonitor(1, 0.1).predict(oneThenZero, q)).containsExactly(1);
    assertThat(new KnnMonitor(1, 0.1).predict(zeroThenOne, q)).containsExactly(0);
    // Both neighbours at k = 2: equal summed weights, the lower class wins.
    assertThat(new KnnMonitor(2, 0.1).predict(oneThenZero, q)).containsExactly(0);
  }

  @Test
  void clusteredPointsAreAllCorrect() {
    FeatureSet train = Synthetic.clusters(2000, 32, 10, 8.0, 7, 1);
    FeatureSet test = Synthetic.clusters(500, 32, 10, 8.0, 7, 2);

    assertThat(new KnnMonitor().top1(train, test)).isEqualTo(1.0);
  }

  @Test
  void chunkingDoesNotChangePredictions() {
    FeatureSet train = Synthetic.clusters(700, 8, 5, 1.0, 3, 1);
    FeatureSet test = Synthetic.clusters(90, 8, 5, 1.0, 3, 2);

    int[] whole = new KnnMonitor(50, 0.1).predict(train, test);
    // 700 * 7 values per chunk: 7 test rows at a time, 13 chunks with a short last one.
    int[] chunked = new KnnMonitor(50, 0.1, 700 * 7).predict(train, test);

    assertThat(chunked).containsExactly(whole);
    assertThat(whole).containsExactly(reference(train, test, 50, 0.1));
  }

  @Test
  void badArgumentsAreRejected() {
    assertThatThrownBy(() -> new KnnMonitor(0, 0.1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("k must be >= 1");
    assertThatThrownBy(() -> new KnnMonitor(5, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("temperature");
    FeatureSet other = new FeatureSet(new float[3], new int[1], 1, 3, 3);
    assertThatThrownBy(() -> new KnnMonitor().predict(CIRCLE, other))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("d=2 vs 3");
    FeatureSet nan = new FeatureSet(new float[] {Float.NaN, 0}, new int[1], 1, 2, 3);
    assertThatThrownBy(() -> new KnnMonitor().predict(CIRCLE, nan))
        .hasMessageContaining("not finite");
  }

  /** Brute force in double with a full sort: the definition, for comparison. */
  private static int[] reference(FeatureSet train, FeatureSet test, int k, double tau) {
    int d = train.d();
    int[] out = new int[test.n()];
    for (int q = 0; q < test.n(); q++) {
      double[] sims = new double[train.n()];
      Integer[] order = new Integer[train.n()];
      for (int i = 0; i < train.n(); i++) {
        sims[i] = cosine(test.features(), q * d, train.features(), i * d, d);
        order[i] = i;
      }
      java.util.Arrays.sort(order, (a, b) -> Double.compare(sims[b], sims[a]));
      double[] votes = new double[train.numClasses()];
      for (int r = 0; r < k; r++) {
        votes[train.labels()[order[r]]] += Math.exp(sims[order[r]] / tau);
      }
      int best = 0;
      for (int c = 1; c < votes.length; c++) {
        best = votes[c] > votes[best] ? c : best;
      }
      out[q] = best;
    }
    return out;
  }

  private static double cosine(float[] a, int ao, float[] b, int bo, int d) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int j = 0; j < d; j++) {
      ab += (double) a[ao + j] * b[bo + j];
      aa += (double) a[ao + j] * a[ao + j];
      bb += (double) b[bo + j] * b[bo + j];
    }
    return ab / Math.sqrt(aa * bb);
  }
}

package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.relreason.model.features.FeatureSet;

/** The exact t-SNE: affinities, gradient against finite differences, descent, determinism. */
class TsneTest {

  private static double[][] squaredDistances(int n, int d, long seed) {
    FeatureSet f = Synthetic.clusters(n, d, 3, 6.0, seed, seed + 1);
    return Embedding2d.squaredDistances(f.features(), n, d);
  }

  @Test
  void affinitiesAreSymmetricSumToOneAndMatchThePerplexity() {
    double[][] d2 = squaredDistances(40, 5, 1);
    double[][] p = Tsne.affinities(d2, 8);
    double total = 0;
    for (int i = 0; i < p.length; i++) {
      for (int j = 0; j < p.length; j++) {
        assertThat(p[i][j]).isEqualTo(p[j][i]);
        total += i == j ? 0 : p[i][j];
      }
    }
    assertThat(total).isCloseTo(1, within(1e-6));
    // each conditional row has the entropy log(perplexity): exp(H) = 8 effective neighbours
    for (int i = 0; i < d2.length; i++) {
      double[] row = Tsne.conditional(d2[i], i, Math.log(8));
      double h = 0;
      for (double q : row) {
        h -= q > 0 ? q * Math.log(q) : 0;
      }
      assertThat(Math.exp(h)).as("perplexity of row %d", i).isCloseTo(8, within(1e-3));
      assertThat(row[i]).isZero();
    }
  }

  @Test
  void gradientMatchesCentralDifferencesOfTheKlDivergence() {
    int n = 12;
    double[][] p = Tsne.affinities(squaredDistances(n, 4, 3), 4);
    Random r = new Random(5);
    double[][] y = new double[n][2];
    for (double[] row : y) {
      row[0] = r.nextGaussian();
      row[1] = r.nextGaussian();
    }
    double[][] grad = new double[n][2];
    Tsne.gradient(p, y, 1, grad, new double[n]);
    double h = 1e-6;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 2; c++) {
        double keep = y[i][c];
        y[i][c] = keep + h;
        double plus = Tsne.klDivergence(p, y);
        y[i][c] = keep - h;
        double minus = Tsne.klDivergence(p, y);
        y[i][c] = keep;
        assertThat(grad[i][c])
            .as("dKL/dy[%d][%d]", i, c)
            .isCloseTo((plus - minus) / (2 * h), within(1e-6));
      }
    }
  }

  @Test
  void optimisationLowersTheKlDivergenceAndIsDeterministic() {
    int n = 50;
    double[][] d2 = squaredDistances(n, 6, 7);
    double[][] p = Tsne.affinities(d2, 10);
    double[][] few = Tsne.embed(d2, 10, 200, 251, 9);
    double[][] many = Tsne.embed(d2, 10, 200, 600, 9);
    assertThat(Tsne.klDivergence(p, many)).isLessThan(Tsne.klDivergence(p, few));
    assertThat(Tsne.embed(d2, 10, 200, 600, 9)).isDeepEqualTo(many);
    assertThat(Tsne.embed(d2, 10, 200, 600, 10)).isNotEqualTo(many);
  }
}

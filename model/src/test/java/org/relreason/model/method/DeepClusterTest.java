package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.train.Adam;
import org.relreason.model.train.Batch;

/** DeepCluster: k-means, PCA-whitening, inverse-frequency weights, the head's re-initialisation. */
class DeepClusterTest {

  /** {@code perGroup} noisy points around each centre, grouped in order. */
  private static double[][] groups(double[][] centres, int perGroup, double noise, long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double[][] x = new double[centres.length * perGroup][];
    for (int g = 0; g < centres.length; g++) {
      for (int i = 0; i < perGroup; i++) {
        double[] p = centres[g].clone();
        for (int j = 0; j < p.length; j++) {
          p[j] += noise * rnd.nextGaussian();
        }
        x[g * perGroup + i] = p;
      }
    }
    return x;
  }

  /** Every group is one cluster and different groups are different clusters. */
  private static void assertRecovers(int[] y, int groups, int perGroup) {
    int[] clusterOfGroup = new int[groups];
    for (int g = 0; g < groups; g++) {
      clusterOfGroup[g] = y[g * perGroup];
      for (int i = 0; i < perGroup; i++) {
        assertThat(y[g * perGroup + i])
            .as("point %d of group %d", i, g)
            .isEqualTo(clusterOfGroup[g]);
      }
    }
    assertThat(Arrays.stream(clusterOfGroup).distinct().count()).isEqualTo(groups);
  }

  @Test
  void kMeansAssignsWellSeparatedPointsToTheirGroups() {
    double[][] x = groups(new double[][] {{0, 0}, {10, 0}, {0, 10}}, 20, 0.3, 1);
    assertRecovers(Clustering.kMeans(x, 3, 42), 3, 20);
  }

  @Test
  void pseudoLabelsRecoverDirectionsAfterNormalisationAndWhitening() {
    // groups that differ in direction only (lengths vary a lot): L2 normalisation makes them tight
    double[][] dirs = {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 1}, {-1, 0, 0, 1}};
    double[][] x = groups(dirs, 15, 0.05, 2);
    SplittableRandom rnd = new SplittableRandom(3);
    float[] flat = new float[x.length * 4];
    for (int i = 0; i < x.length; i++) {
      double scale = 0.5 + 20 * rnd.nextDouble();
      for (int j = 0; j < 4; j++) {
        flat[i * 4 + j] = (float) (scale * x[i][j]);
      }
    }
    int[] y = Clustering.pseudoLabels(flat, x.length, 4, 4, 7);
    assertRecovers(y, 4, 15);
    // the same seed gives the same clustering
    assertThat(Clustering.pseudoLabels(flat, x.length, 4, 4, 7)).containsExactly(y);
  }

  @Test
  void whitenedFeaturesHaveUnitLength() {
    double[][] x = groups(new double[][] {{1, 2, 3}, {-3, 1, 0}}, 10, 1, 4);
    for (double[] row : Clustering.whiten(x)) {
      assertThat(Math.sqrt(row[0] * row[0] + row[1] * row[1] + row[2] * row[2]))
          .isCloseTo(1, within(1e-9));
    }
  }

  @Test
  void classWeightsAreInverseFrequencies() {
    int[] labels = {0, 0, 0, 1, 2, 2, 0, 2};
    double[] w = Clustering.inverseFrequencyWeights(labels, 4);
    // counts 4, 1, 3, 0
    assertThat(w[1] / w[0]).isCloseTo(4, within(1e-12));
    assertThat(w[2] / w[0]).isCloseTo(4.0 / 3, within(1e-12));
    assertThat(w[3]).isZero();
    // each non-empty cluster carries the same total weight, and the samples' weights average 1
    assertThat(4 * w[0]).isCloseTo(1 * w[1], within(1e-12));
    double sum = 0;
    for (int y : labels) {
      sum += w[y];
    }
    assertThat(sum / labels.length).isCloseTo(1, within(1e-12));
  }

  private static DeepClusterModel model(DataType dtype) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    return new DeepClusterModel(Backbones.build(spec, 4, dtype), 4, 9, dtype);
  }

  @Test
  void headIsReinitialisedEachEpochWithItsOptimizerState() {
    DeepClusterModel model = model(DataType.FLOAT);
    int b = (int) model.backboneParams();
    int n = (int) model.numParams();
    float[] before = model.paramsVector();
    Adam adam = new Adam(n, 1e-3, model.statisticsMask());
    float[] ones = new float[n];
    Arrays.fill(ones, 1f);
    float[] p = before.clone();
    adam.step(p, ones);
    model.setParams(p);

    model.reinitializeHead(1, adam);
    float[] after = model.paramsVector();
    // the backbone keeps its trained values; the head is drawn anew
    assertThat(Arrays.copyOfRange(after, 0, b)).containsExactly(Arrays.copyOfRange(p, 0, b));
    float[] head1 = Arrays.copyOfRange(after, b, n);
    assertThat(head1).isNotEqualTo(Arrays.copyOfRange(p, b, n));
    assertThat(head1).isNotEqualTo(Arrays.copyOfRange(before, b, n));
    // the optimizer forgot the head's moments and kept the backbone's
    Adam.State s = adam.state();
    for (int i = b; i < n; i++) {
      assertThat(s.m()[i]).isZero();
      assertThat(s.v()[i]).isZero();
    }
    assertThat(s.m()[0]).isNotZero();
    // a different epoch draws a different head; the same epoch the same one
    model.reinitializeHead(2, null);
    assertThat(Arrays.copyOfRange(model.paramsVector(), b, n)).isNotEqualTo(head1);
    model.reinitializeHead(1, null);
    assertThat(Arrays.copyOfRange(model.paramsVector(), b, n)).containsExactly(head1);
  }

  @Test
  void beforeEpochClustersTheTrainingSetIntoPseudoLabels() {
    SplittableRandom rnd = new SplittableRandom(8);
    byte[] pixels = new byte[40 * 3 * 16 * 16];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = (byte) rnd.nextInt(256);
    }
    ImageSet set = new ImageSet("noise", 40, 3, 16, 16, pixels, null, 0);
    DeepClusterModel model = model(DataType.FLOAT);
    model.beforeEpoch(0, set, Normalization.CIFAR10, null);
    double[] w = model.classWeights();
    assertThat(w).hasSize(4);
    // every sample has a label in [0, 4): the weights of the clusters in use are positive
    assertThat(Arrays.stream(w).filter(v -> v > 0).count()).isGreaterThanOrEqualTo(2);
  }

  @Test
  @ExtendWith(DoublePrecision.class)
  void weightedModelGradientMatchesCentralDifferences() {
    DeepClusterModel model = model(DataType.DOUBLE);
    int[] pseudo = {0, 3, 3, 1, 3, 2};
    model.setPseudoLabels(pseudo);
    Nd4j.getRandom().setSeed(9);
    INDArray views = Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16);
    // images 1, 2 and 4 carry cluster 3 (weight 1/3 each), 0 and 5 clusters 0 and 2
    Batch batch = new Batch(views, new int[] {1, 0, 5, 2}, null);
    assertThat(ModelGradientCheck.check(model, batch, 90)).isGreaterThan(60);
  }
}

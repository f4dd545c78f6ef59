package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;

class FeatureExtractorTest {
  private static final BackboneSpec SPEC = new BackboneSpec(BackboneKind.CONV4, 1.0, 3, 32, 32);
  private static final Normalization NORM = Normalization.CIFAR10;
  private static final ImageSet IMAGES = images(10);

  private static ImageSet images(int n) {
    byte[] px = new byte[n * 3 * 32 * 32];
    new Random(3).nextBytes(px);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    return new ImageSet("synthetic", n, 3, 32, 32, px, labels, 3);
  }

  /** The normalised batch written out from the layout's definition, independently of the code. */
  private static INDArray byHand(ImageSet set, DataType dtype) {
    int n = set.size();
    double[][][][] x = new double[n][3][32][32];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int w = 0; w < 32; w++) {
            int b = set.pixels()[((i * 3 + c) * 32 + y) * 32 + w] & 0xFF;
            x[i][c][y][w] = NORM.apply(c, b);
          }
        }
      }
    }
    return Nd4j.create(x).castTo(dtype);
  }

  private static void assertSameFeatures(FeatureSet got, INDArray expected, double tol) {
    float[][] e = expected.castTo(DataType.FLOAT).toFloatMatrix();
    for (int i = 0; i < got.n(); i++) {
      for (int j = 0; j < got.d(); j++) {
        assertThat(got.features()[i * got.d() + j])
            .as("feature %d of image %d", j, i)
            .isCloseTo(e[i][j], org.assertj.core.api.Assertions.within((float) tol));
      }
    }
  }

  @Test
  void featuresEqualTheInferenceForwardOfTheNormalisedImages() {
    Backbone backbone = Backbones.build(SPEC, 7, DataType.FLOAT);

    FeatureSet f = new FeatureExtractor(NORM, 4).extract(backbone, IMAGES);

    assertThat(f.n()).isEqualTo(10);
    assertThat(f.d()).isEqualTo(64);
    assertThat(f.numClasses()).isEqualTo(3);
    assertThat(f.labels()).containsExactly(IMAGES.labels());
    assertSameFeatures(f, backbone.forward(byHand(IMAGES, DataType.FLOAT), false), 1e-5);
  }

  @Test
  void featuresDoNotDependOnTheBatchSize() {
    Backbone backbone = Backbones.build(SPEC, 7, DataType.FLOAT);

    FeatureSet whole = new FeatureExtractor(NORM).extract(backbone, IMAGES);
    FeatureSet inThrees = new FeatureExtractor(NORM, 3).extract(backbone, IMAGES);
    FeatureSet single = new FeatureExtractor(NORM, 1).extract(backbone, IMAGES);

    for (FeatureSet other : new FeatureSet[] {inThrees, single}) {
      for (int k = 0; k < whole.features().length; k++) {
        assertThat(other.features()[k]).isCloseTo(whole.features()[k], within(1e-5f));
      }
    }
    // The check has teeth: batch-mode BN over the first 3 images gives other features.
    INDArray first3 = byHand(IMAGES.head(3), DataType.FLOAT);
    INDArray trainingMode = Backbones.build(SPEC, 7, DataType.FLOAT).forward(first3, true);
    assertThat(Math.abs(trainingMode.getFloat(0, 0) - whole.features()[0])).isGreaterThan(1e-3f);
  }

  @Test
  void aDoubleNetworkGetsDoubleInput() {
    Backbone backbone = Backbones.build(SPEC, 7, DataType.DOUBLE);

    FeatureSet f = new FeatureExtractor(NORM, 4).extract(backbone, IMAGES);

    assertSameFeatures(f, backbone.forward(byHand(IMAGES, DataType.DOUBLE), false), 1e-6);
  }

  @Test
  void badInputsAreRejected() {
    Backbone backbone = Backbones.build(SPEC, 7, DataType.FLOAT);
    ImageSet empty = new ImageSet("empty", 0, 3, 32, 32, new byte[0], new int[0], 3);
    ImageSet unlabeled = new ImageSet("raw", 1, 3, 32, 32, new byte[3 * 32 * 32], null, 0);
    ImageSet gray = new ImageSet("gray", 1, 1, 32, 32, new byte[32 * 32], new int[1], 1);

    assertThatThrownBy(() -> new FeatureExtractor(NORM).extract(backbone, empty))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty is empty");
    assertThatThrownBy(() -> new FeatureExtractor(NORM).extract(backbone, unlabeled))
        .hasMessageContaining("raw has no labels");
    assertThatThrownBy(() -> new FeatureExtractor(NORM).extract(backbone, gray))
        .hasMessageContaining("gray has 1 channels but the normalisation covers 3");
    assertThatThrownBy(() -> new FeatureExtractor(NORM, 0))
        .hasMessageContaining("batchSize must be >= 1");
  }

  private static org.assertj.core.data.Offset<Float> within(float tol) {
    return org.assertj.core.api.Assertions.within(tol);
  }
}

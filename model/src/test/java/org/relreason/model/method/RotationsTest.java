package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.train.Batch;

/** RotationNet's rotations pixel by pixel, their labels, and the model's gradient. */
class RotationsTest {

  @Test
  void rotationsAreCounterClockwiseQuarterTurnsPixelForPixel() {
    // one 2-channel 3×3 image: channel 0 holds 1..9 row by row, channel 1 holds 11..19
    float[] img = new float[18];
    for (int i = 0; i < 9; i++) {
      img[i] = i + 1;
      img[9 + i] = i + 11;
    }
    float[] out = new float[18];
    Rotations.rotate(img, 0, 2, 3, 0, out, 0);
    assertThat(out).containsExactly(img);
    // 90° counter-clockwise: the right column becomes the top row
    Rotations.rotate(img, 0, 2, 3, 1, out, 0);
    assertThat(out).containsExactly(3, 6, 9, 2, 5, 8, 1, 4, 7, 13, 16, 19, 12, 15, 18, 11, 14, 17);
    Rotations.rotate(img, 0, 2, 3, 2, out, 0);
    assertThat(out).containsExactly(9, 8, 7, 6, 5, 4, 3, 2, 1, 19, 18, 17, 16, 15, 14, 13, 12, 11);
    // 270° counter-clockwise = 90° clockwise: the left column, bottom up, becomes the top row
    Rotations.rotate(img, 0, 2, 3, 3, out, 0);
    assertThat(out).containsExactly(7, 4, 1, 8, 5, 2, 9, 6, 3, 17, 14, 11, 18, 15, 12, 19, 16, 13);
  }

  @Test
  void expandPutsRotationRMajorWithLabelR() {
    // two 1-channel 2×2 images: [[1,2],[3,4]] and [[5,6],[7,8]]
    float[] images = {1, 2, 3, 4, 5, 6, 7, 8};
    float[] out = Rotations.expand(images, 2, 1, 2);
    assertThat(out)
        .containsExactly(
            1, 2, 3, 4, 5, 6, 7, 8, // 0°
            2, 4, 1, 3, 6, 8, 5, 7, // 90°
            4, 3, 2, 1, 8, 7, 6, 5, // 180°
            3, 1, 4, 2, 7, 5, 8, 6); // 270°
    assertThat(Rotations.labels(2)).containsExactly(0, 0, 1, 1, 2, 2, 3, 3);
  }

  @Test
  @ExtendWith(DoublePrecision.class)
  void rotationModelGradientMatchesCentralDifferences() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    RotationModel model =
        new RotationModel(Backbones.build(spec, 4, DataType.DOUBLE), 9, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(5);
    INDArray views = Nd4j.randn(DataType.DOUBLE, 3, 3, 16, 16);
    assertThat(ModelGradientCheck.check(model, new Batch(views, new int[] {0, 1, 2}, null), 90))
        .isGreaterThan(60);
  }
}

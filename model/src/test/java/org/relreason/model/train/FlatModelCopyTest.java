package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.LossKind;

/**
 * The flat vectors' copies to and from {@code float[]} (the bulk host copy in float on the CPU
 * backend, ND4J's copies in double): every value, in order, and a new parameter vector reaches the
 * networks' bound views.
 */
class FlatModelCopyTest {
  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void copiesEveryValueInOrderBothWays(DataType dtype) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.CONV4, 0.5, 3, 16, 16);
    RelationalModel model =
        new RelationalModel(spec, Aggregation.CAT, FocalLoss.of(LossKind.FOCAL, 2, 0.5), 5, dtype);
    int n = Math.toIntExact(model.numParams());

    assertThat(model.paramsVector()).isEqualTo(model.params().toFloatVector());
    Nd4j.getRandom().setSeed(2);
    model.gradients().assign(Nd4j.randn(dtype, 1, n));
    assertThat(model.gradientVector()).isEqualTo(model.gradients().toFloatVector());

    float[] values = new float[n];
    for (int i = 0; i < n; i++) {
      values[i] = i * 0.25f - 3;
    }
    model.setParams(values);
    assertThat(model.params().toFloatVector()).isEqualTo(values);
    assertThat(model.paramsVector()).isEqualTo(values);
    // the backbone reads its slice of the same vector: its first and last values moved too
    INDArray backbone = model.backbone().params();
    long b = model.backboneParams();
    assertThat(backbone.getFloat(0)).isEqualTo(values[0]);
    assertThat(backbone.getFloat(b - 1)).isEqualTo(values[(int) b - 1]);
    assertThat(model.paramsVector()).isNotSameAs(model.paramsVector());
  }
}

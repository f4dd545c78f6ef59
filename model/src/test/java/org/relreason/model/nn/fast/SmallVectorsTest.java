package org.relreason.model.nn.fast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Per-channel vectors as Java arrays: whole vectors, slices of a flat vector at an offset (the
 * gradient views), and strided column views (ND4J's path) read and write the right values and leave
 * their neighbours alone.
 */
class SmallVectorsTest {
  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void aSliceOfAFlatVectorIsReadAndWrittenInPlace(DataType dt) {
    INDArray flat = Nd4j.arange(20).castTo(dt).reshape(1, 20);
    INDArray slice = flat.get(NDArrayIndex.point(0), NDArrayIndex.interval(7, 12));
    assertThat(SmallVectors.read(slice)).containsExactly(7, 8, 9, 10, 11);
    SmallVectors.write(new double[] {-1, -2, -3, -4, -5.5}, slice);
    assertThat(flat.toDoubleVector())
        .containsExactly(0, 1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5.5, 12, 13, 14, 15, 16, 17, 18, 19);
    INDArray row = Nd4j.create(dt, 1, 4);
    SmallVectors.write(new double[] {1, 2, 3, 4}, row);
    assertThat(SmallVectors.read(row.reshape(4))).containsExactly(1, 2, 3, 4);
  }

  @ParameterizedTest
  @EnumSource(
      value = DataType.class,
      names = {"FLOAT", "DOUBLE"})
  void aStridedColumnTakesNd4jsPath(DataType dt) {
    INDArray m = Nd4j.arange(12).castTo(dt).reshape(4, 3).dup('c');
    INDArray column = m.getColumn(1);
    assertThat(SmallVectors.read(column)).containsExactly(1, 4, 7, 10);
    SmallVectors.write(new double[] {0, 0, 0, 0}, column);
    assertThat(m.toDoubleMatrix()[2]).containsExactly(6, 0, 8);
    assertThatThrownBy(() -> SmallVectors.write(new double[3], column))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("3 values for a vector of 4");
  }
}

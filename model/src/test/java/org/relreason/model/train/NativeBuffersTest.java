package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Copies between float[] and ND4J arrays, in C order: the bulk host copy (a float array of its own)
 * and ND4J's path (a view, a double array) give the same values, and a view's neighbours stay.
 */
class NativeBuffersTest {
  private static float[] ramp(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = i * 0.5f - 7;
    }
    return v;
  }

  @Test
  void aWholeFloatArrayIsWrittenAndReadInCOrder() {
    INDArray a = Nd4j.create(DataType.FLOAT, 2, 3, 4);
    assertThat(NativeBuffers.onHost(a)).isTrue();
    float[] v = ramp(24);
    NativeBuffers.put(v, a);
    assertThat(a.getFloat(1, 2, 3)).isEqualTo(v[23]);
    assertThat(a.getFloat(1, 0, 1)).isEqualTo(v[13]);
    assertThat(NativeBuffers.get(a, new float[24])).isEqualTo(v);
  }

  @Test
  void aViewAndADoubleArrayTakeNd4jsPathWithTheSameResult() {
    INDArray base = Nd4j.zeros(DataType.FLOAT, 4, 6);
    INDArray rows = base.get(NDArrayIndex.interval(1, 3), NDArrayIndex.all());
    assertThat(NativeBuffers.onHost(rows)).isFalse();
    float[] v = ramp(12);
    NativeBuffers.put(v, rows);
    assertThat(NativeBuffers.get(rows, new float[12])).isEqualTo(v);
    // the rows outside the view are untouched
    assertThat(base.getRow(0).sumNumber().doubleValue()).isZero();
    assertThat(base.getRow(3).sumNumber().doubleValue()).isZero();

    INDArray d = Nd4j.create(DataType.DOUBLE, 3, 4);
    NativeBuffers.put(v, d);
    assertThat(d.getDouble(2, 3)).isEqualTo(v[11]);
    assertThat(NativeBuffers.get(d, new float[12])).isEqualTo(v);
  }

  @Test
  void anFOrderArrayIsWrittenAndReadInCOrder() {
    INDArray f = Nd4j.create(DataType.FLOAT, new long[] {3, 4}, 'f');
    assertThat(NativeBuffers.onHost(f)).isFalse();
    float[] v = ramp(12);
    NativeBuffers.put(v, f);
    assertThat(f.getFloat(1, 2)).isEqualTo(v[6]);
    assertThat(NativeBuffers.get(f, new float[12])).isEqualTo(v);
  }

  @Test
  void aLengthMismatchIsRefusedWithBothLengths() {
    INDArray a = Nd4j.create(DataType.FLOAT, 5);
    assertThatThrownBy(() -> NativeBuffers.put(new float[4], a))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("4 values for an array of 5");
    assertThatThrownBy(() -> NativeBuffers.get(a, new float[6]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("an array of 6 values for a vector of 5");
  }
}

package org.relreason.model.train;

import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Copies between Java float arrays and ND4J arrays: one JavaCPP bulk copy where the array's values
 * are its whole host buffer in order (a float array of its own on the CPU backend), ND4J's own
 * copies otherwise (views, other types, device memory). ND4J's copies go value by value: for
 * ResNet-34's 21.6 M parameters {@code toFloatVector} took 80-88 ms here and {@code assign} from a
 * new array 120-134 ms, a bulk copy 25 and 8 ms.
 */
public final class NativeBuffers {
  private NativeBuffers() {}

  /** Whether {@code a}'s values are its buffer's host memory, whole and in order. */
  static boolean onHost(INDArray a) {
    return a.dataType() == DataType.FLOAT
        && Nd4j.getEnvironment().isCPU()
        && a.ordering() == 'c'
        && a.offset() == 0
        && a.data().length() == a.length();
  }

  /**
   * Overwrites {@code target}'s values with {@code values}, in C order.
   *
   * @throws IllegalArgumentException if the lengths differ
   */
  public static void put(float[] values, INDArray target) {
    if (values.length != target.length()) {
      throw new IllegalArgumentException(
          values.length + " values for an array of " + target.length());
    }
    if (onHost(target)) {
      new FloatPointer(target.data().addressPointer()).put(values);
    } else {
      target.assign(
          Nd4j.createFromArray(values).castTo(target.dataType()).reshape('c', target.shape()));
    }
  }

  /**
   * {@code a}'s values in C order, copied into {@code out}, which is returned.
   *
   * @throws IllegalArgumentException if the lengths differ
   */
  public static float[] get(INDArray a, float[] out) {
    if (out.length != a.length()) {
      throw new IllegalArgumentException(
          "an array of " + out.length + " values for a vector of " + a.length());
    }
    if (onHost(a)) {
      new FloatPointer(a.data().addressPointer()).get(out);
    } else {
      System.arraycopy(Nd4j.toFlattened('c', a).toFloatVector(), 0, out, 0, out.length);
    }
    return out;
  }
}

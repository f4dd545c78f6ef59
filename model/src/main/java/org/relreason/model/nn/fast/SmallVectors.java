package org.relreason.model.nn.fast;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Reads and writes per-channel vectors (a batch norm's statistics, coefficients and gradient views,
 * a few dozen to a few hundred values) as Java arrays, so that their arithmetic is a loop instead
 * of a dozen libnd4j ops: each op costs tens of microseconds of dispatch whatever its length, and a
 * batch norm's coefficients and running-statistic deltas took 0.5-1 ms a layer that way (Conv-4
 * K=4: 4.5 ms of a 77 ms step). On the CPU backend a contiguous float or double vector (also a
 * view, such as a slice of the flat gradient) is copied in bulk at its address; otherwise ND4J's
 * copies are used, so every backend works.
 */
final class SmallVectors {
  private SmallVectors() {}

  private static boolean direct(INDArray a) {
    return Nd4j.getEnvironment().isCPU()
        && (a.dataType() == DataType.FLOAT || a.dataType() == DataType.DOUBLE)
        && (a.length() == 1 || (a.isVector() && a.elementWiseStride() == 1));
  }

  /**
   * Position of {@code a}'s first value from its buffer's address: a view's buffer is itself an
   * offset view in ND4J 1.0.0-M2.1 (its address already points at the view's buffer offset).
   */
  private static long start(INDArray a) {
    return a.offset() - a.data().offset();
  }

  /** The values of vector {@code a} (any shape with one non-unit dimension), in order. */
  static double[] read(INDArray a) {
    if (!direct(a)) {
      return Nd4j.toFlattened('c', a).toDoubleVector();
    }
    int n = Math.toIntExact(a.length());
    double[] out = new double[n];
    if (a.dataType() == DataType.DOUBLE) {
      new DoublePointer(a.data().addressPointer()).position(start(a)).get(out, 0, n);
    } else {
      float[] f = new float[n];
      new FloatPointer(a.data().addressPointer()).position(start(a)).get(f, 0, n);
      for (int i = 0; i < n; i++) {
        out[i] = f[i];
      }
    }
    return out;
  }

  /** Overwrites vector {@code a} with {@code values} (rounded to float for a float vector). */
  static void write(double[] values, INDArray a) {
    int n = Math.toIntExact(a.length());
    if (values.length != n) {
      throw new IllegalArgumentException(values.length + " values for a vector of " + n);
    }
    if (!direct(a)) {
      a.assign(Nd4j.createFromArray(values).castTo(a.dataType()).reshape('c', a.shape()));
      return;
    }
    if (a.dataType() == DataType.DOUBLE) {
      new DoublePointer(a.data().addressPointer()).position(start(a)).put(values, 0, n);
    } else {
      float[] f = new float[n];
      for (int i = 0; i < n; i++) {
        f[i] = (float) values[i];
      }
      new FloatPointer(a.data().addressPointer()).position(start(a)).put(f, 0, n);
    }
  }
}

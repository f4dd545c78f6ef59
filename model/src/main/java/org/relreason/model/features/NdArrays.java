package org.relreason.model.features;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The two ND4J chores of feature extraction and evaluation: reading a result out, and freeing what
 * we created.
 */
public final class NdArrays {
  private NdArrays() {}

  /** Values of a float array in row-major order. */
  public static float[] rowMajor(INDArray a) {
    float[] out = new float[Math.toIntExact(a.length())];
    rowMajor(a, out);
    return out;
  }

  /** Copies the values of a float array, in row-major order, to the start of {@code out}. */
  public static void rowMajor(INDArray a, float[] out) {
    int n = Math.toIntExact(a.length());
    if (a.dataType() == DataType.FLOAT
        && a.ordering() == 'c'
        && !a.isView()
        && a.data().length() == n) {
      // A fresh result (gemm, the backbone's output): one bulk copy of its native buffer. The
      // element-wise paths (toFloatVector, data().asFloat()) took 12 s and 2.7 s of a kNN over 10k
      // x 60k similarities; this takes a fraction of a second.
      a.data().asNioFloat().get(out, 0, n);
      return;
    }
    // Not a.reshape('c', n): with a single size that call resolves to reshape(long...), and the
    // order character becomes a dimension of 99.
    try (INDArray row = Nd4j.toFlattened('c', a.castTo(DataType.FLOAT))) {
      System.arraycopy(row.toFloatVector(), 0, out, 0, n);
    }
  }

  /** Frees the native buffer of an array nothing else holds, now rather than at some later GC. */
  public static void release(INDArray a) {
    if (!a.wasClosed() && a.closeable()) {
      a.close();
    }
  }
}

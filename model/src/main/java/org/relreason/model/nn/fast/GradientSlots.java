package org.relreason.model.nn.fast;

import java.util.HashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Named gradient buffers of one length that a backbone's layers view in the shape each needs: the
 * layers' backward passes run one after another and a layer's gradients are dead once the layer
 * below has read its input gradient, so one buffer per role serves every layer (a set per layer or
 * per shape held about twice as much). A buffer is allocated at its first use.
 */
final class GradientSlots {
  private final DataType dtype;
  private final long length;
  private final Map<String, INDArray> slots = new HashMap<>();

  GradientSlots(DataType dtype, long length) {
    this.dtype = dtype;
    this.length = length;
  }

  /** Values each slot holds. */
  long length() {
    return length;
  }

  /**
   * The first values of slot {@code slot}, seen as a C-order array of {@code shape}.
   *
   * @throws IllegalStateException if the shape holds more values than a slot
   */
  INDArray view(String slot, long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n > length) {
      throw new IllegalStateException(
          "gradient slot " + slot + " holds " + length + " values, not " + n);
    }
    INDArray flat = slots.computeIfAbsent(slot, k -> Nd4j.create(dtype, length));
    return flat.get(NDArrayIndex.interval(0, n)).reshape('c', shape);
  }
}

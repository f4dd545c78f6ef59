package org.relreason.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import org.relreason.protocol.v1.Tensor;

/**
 * The elements of a {@link Tensor} as float32, read a range at a time straight from the tensor's
 * bytes, without decoding the whole tensor into an array first. A ResNet-34 gradient is 86 MB: the
 * coordinator reads each shard's bytes once, a cache-sized range at a time, while it sums (see
 * {@code GradientAggregator}), instead of copying them to a {@code float[]} and reading that.
 *
 * <p>For a message parsed with aliasing ({@link ProtoCodec#decodeAliased}) the bytes are the
 * received buffer itself. FLOAT32 ranges are bulk copies (a plain memory move on little-endian
 * hosts); FLOAT16 and BFLOAT16 are widened element by element as {@link Tensors#toFloats} does.
 *
 * <p>Thread-safe: reads use absolute positions only, so several threads may read disjoint or
 * overlapping ranges at once.
 */
public final class TensorView {
  private final String field;
  private final int length;
  private final Tensor.DType dtype;
  private final FloatBuffer floats;
  private final ShortBuffer halves;
  private final float[] array;

  private TensorView(
      String field,
      int length,
      Tensor.DType dtype,
      FloatBuffer floats,
      ShortBuffer halves,
      float[] array) {
    this.field = field;
    this.length = length;
    this.dtype = dtype;
    this.floats = floats;
    this.halves = halves;
    this.array = array;
  }

  /**
   * A view of {@code tensor}'s elements, after the checks of {@link
   * Tensors#checkedElementCount(Tensor, String)}.
   *
   * @param field where the tensor came from, e.g. {@code "ShardResult.gradient"}, for messages
   * @throws ProtocolException WRONG_SHAPE if the shape, dtype and byte length disagree
   */
  public static TensorView of(Tensor tensor, String field) {
    int count = Tensors.checkedElementCount(tensor, field);
    // A view, not a copy, for the byte strings protobuf makes (whole arrays, aliased slices).
    ByteBuffer bytes = tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    return tensor.getDtype() == Tensor.DType.FLOAT32
        ? new TensorView(field, count, tensor.getDtype(), bytes.asFloatBuffer(), null, null)
        : new TensorView(field, count, tensor.getDtype(), null, bytes.asShortBuffer(), null);
  }

  /** A view of {@code values} (not copied: they must not change while the view is read). */
  public static TensorView of(float[] values, String field) {
    return new TensorView(field, values.length, Tensor.DType.FLOAT32, null, null, values);
  }

  /** Number of elements. */
  public int length() {
    return length;
  }

  /** What the values are, e.g. {@code "ShardResult.gradient"}. */
  public String field() {
    return field;
  }

  /** Copies elements {@code [from, from + count)} into {@code dst[offset ..]} as float32. */
  public void read(int from, float[] dst, int offset, int count) {
    if (array != null) {
      System.arraycopy(array, from, dst, offset, count);
    } else if (floats != null) {
      floats.get(from, dst, offset, count);
    } else {
      boolean bfloat16 = dtype == Tensor.DType.BFLOAT16;
      for (int i = 0; i < count; i++) {
        short bits = halves.get(from + i);
        dst[offset + i] = bfloat16 ? Tensors.fromBfloat16(bits) : Tensors.fromFloat16(bits);
      }
    }
  }

  /**
   * The position of the first NaN or infinite element, or -1 if all are finite. Reads the whole
   * tensor: for the rare path that names a culprit, not for every message.
   */
  public int firstNonFinite() {
    float[] chunk = new float[Math.min(length, 1 << 14)];
    for (int from = 0; from < length; from += chunk.length) {
      int count = Math.min(chunk.length, length - from);
      read(from, chunk, 0, count);
      for (int i = 0; i < count; i++) {
        if (!Float.isFinite(chunk[i])) {
          return from + i;
        }
      }
    }
    return -1;
  }

  /** Element {@code i} as float32. */
  public float get(int i) {
    if (array != null) {
      return array[i];
    }
    if (floats != null) {
      return floats.get(i);
    }
    short bits = halves.get(i);
    return dtype == Tensor.DType.BFLOAT16 ? Tensors.fromBfloat16(bits) : Tensors.fromFloat16(bits);
  }
}

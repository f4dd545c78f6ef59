package org.relreason.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.ShortBuffer;
import java.util.Arrays;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Tensor;

/**
 * Packs {@code float[]} into {@link Tensor} messages and back.
 *
 * <p>Data is little-endian (what x86-64 and ARM hosts hold in memory, so the bulk copies below are
 * plain memory moves). Narrow encodings round to nearest, ties to even, as IEEE 754 arithmetic
 * does:
 *
 * <ul>
 *   <li>{@link Tensor.DType#FLOAT16}: IEEE binary16. Normal numbers keep 11 significant bits
 *       (relative error at most 2<sup>-11</sup>); magnitudes from 65520 up become infinity,
 *       magnitudes below 2<sup>-14</sup> become subnormals (absolute error at most 2<sup>-25</sup>)
 *       and at most 2<sup>-25</sup> become zero. NaN stays NaN (quiet).
 *   <li>{@link Tensor.DType#BFLOAT16}: the upper half of a binary32. Same range as float32, 8
 *       significant bits (relative error at most 2<sup>-8</sup>). NaN stays NaN (quiet).
 * </ul>
 *
 * Java 17 has no {@code Float.floatToFloat16} (added in Java 20), hence the bit manipulation.
 */
public final class Tensors {
  private static final String TENSOR_TYPE = Tensor.getDescriptor().getFullName();

  private Tensors() {}

  /** A float32 tensor holding {@code data} with the given shape. */
  public static Tensor float32(float[] data, long... shape) {
    return encode(data, Tensor.DType.FLOAT32, shape);
  }

  /**
   * Encodes {@code data} as {@code dtype}, rounding to nearest even for the 16-bit types.
   *
   * @throws ProtocolException WRONG_SHAPE if the shape has a negative dimension or its product is
   *     not {@code data.length}
   */
  public static Tensor encode(float[] data, Tensor.DType dtype, long... shape) {
    long count = elementCount(shape, "shape");
    if (count != data.length) {
      throw wrongShape(
          "shape "
              + Arrays.toString(shape)
              + " holds "
              + count
              + " elements, data has "
              + data.length);
    }
    int width = bytesPerElement(dtype, "dtype");
    ByteBuffer bytes = ByteBuffer.allocate(data.length * width).order(ByteOrder.LITTLE_ENDIAN);
    switch (dtype) {
      case FLOAT32 -> bytes.asFloatBuffer().put(data);
      case FLOAT16 -> putShorts(bytes.asShortBuffer(), data, false);
      case BFLOAT16 -> putShorts(bytes.asShortBuffer(), data, true);
      default -> throw new AssertionError(dtype);
    }
    // The array is not touched again, so protobuf may keep it without a defensive copy.
    ByteString payload = UnsafeByteOperations.unsafeWrap(bytes.array());
    return Tensor.newBuilder()
        .addAllShape(Arrays.stream(shape).boxed().toList())
        .setDtype(dtype)
        .setData(payload)
        .build();
  }

  /**
   * Decodes a tensor of any dtype into float32 values, after checking it is self-consistent.
   *
   * @param field where the tensor came from, for error messages, e.g. {@code
   *     "ShardResult.gradient"}
   * @throws ProtocolException WRONG_SHAPE if the shape, dtype and byte length disagree
   */
  public static float[] toFloats(Tensor tensor, String field) {
    int count = checkedElementCount(tensor, field);
    float[] out = new float[count];
    ByteBuffer bytes = tensor.getData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
    switch (tensor.getDtype()) {
      case FLOAT32 -> bytes.asFloatBuffer().get(out);
      case FLOAT16 -> getShorts(bytes.asShortBuffer(), out, false);
      case BFLOAT16 -> getShorts(bytes.asShortBuffer(), out, true);
      default -> throw new AssertionError(tensor.getDtype());
    }
    return out;
  }

  /**
   * The number of elements of {@code tensor}, after checking that its shape is valid and that
   * {@code data} holds exactly that many elements of its dtype.
   *
   * @throws ProtocolException WRONG_SHAPE naming {@code field} otherwise
   */
  public static int checkedElementCount(Tensor tensor, String field) {
    long count =
        elementCount(
            tensor.getShapeList().stream().mapToLong(Long::longValue).toArray(), field + ".shape");
    int width = bytesPerElement(tensor.getDtype(), field + ".dtype");
    if (count > Integer.MAX_VALUE / width) {
      throw wrongShape(field + ": " + count + " elements do not fit in a Java array");
    }
    long expectedBytes = count * width;
    if (tensor.getData().size() != expectedBytes) {
      throw wrongShape(
          field
              + ": shape "
              + tensor.getShapeList()
              + " of "
              + tensor.getDtype()
              + " needs "
              + expectedBytes
              + " bytes, data has "
              + tensor.getData().size());
    }
    return (int) count;
  }

  /** Bytes one element of {@code dtype} occupies. */
  public static int bytesPerElement(Tensor.DType dtype) {
    return bytesPerElement(dtype, "dtype");
  }

  /** IEEE binary16 bits of {@code value}, rounded to nearest, ties to even. */
  public static short toFloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    int sign = (bits >>> 16) & 0x8000;
    int abs = bits & 0x7fff_ffff;
    if (abs > 0x7f80_0000) { // NaN: keep the top payload bits, force quiet.
      return (short) (sign | 0x7e00 | ((abs >>> 13) & 0x3ff));
    }
    if (abs >= 0x477f_f000) { // >= 65520, halfway between 65504 and 2^16: ties go up to infinity.
      return (short) (sign | 0x7c00);
    }
    if (abs >= 0x3880_0000) { // >= 2^-14: normal half. Rebias the exponent by 127 - 15.
      int half = (abs - 0x3800_0000) >>> 13;
      return (short) (sign | roundHalfEven(half, abs & 0x1fff, 0x1000));
    }
    if (abs <= 0x3300_0000) { // <= 2^-25, half the smallest subnormal: ties go to zero (even).
      return (short) sign;
    }
    // Subnormal half: value / 2^-24, with the implicit leading bit made explicit.
    int mantissa = (abs & 0x7f_ffff) | 0x80_0000;
    int shift = 126 - (abs >>> 23);
    int half = mantissa >>> shift;
    return (short) (sign | roundHalfEven(half, mantissa & ((1 << shift) - 1), 1 << (shift - 1)));
  }

  /** The float32 value of IEEE binary16 bits (exact: every half is a float). */
  public static float fromFloat16(short half) {
    int sign = (half & 0x8000) << 16;
    int exponent = (half >>> 10) & 0x1f;
    int mantissa = half & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f80_0000 | mantissa << 13);
    }
    if (exponent == 0) { // Zero or subnormal: mantissa * 2^-24, exact in float.
      float magnitude = mantissa * 0x1p-24f;
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | (exponent + 112) << 23 | mantissa << 13);
  }

  /** bfloat16 bits of {@code value}, rounded to nearest, ties to even. */
  public static short toBfloat16(float value) {
    int bits = Float.floatToRawIntBits(value);
    if ((bits & 0x7fff_ffff) > 0x7f80_0000) { // NaN: truncation could make it infinity.
      return (short) ((bits >>> 16) | 0x0040);
    }
    // Adding 0x7fff (+1 when the kept part is odd) carries into bit 16 exactly when rounding up;
    // a carry out of the largest finite value correctly gives infinity.
    int rounded = bits + 0x7fff + ((bits >>> 16) & 1);
    return (short) (rounded >>> 16);
  }

  /** The float32 value of bfloat16 bits (exact). */
  public static float fromBfloat16(short bf16) {
    return Float.intBitsToFloat((bf16 & 0xffff) << 16);
  }

  private static int roundHalfEven(int truncated, int remainder, int halfway) {
    boolean up = remainder > halfway || (remainder == halfway && (truncated & 1) == 1);
    return up ? truncated + 1 : truncated; // A carry into the exponent is the right result.
  }

  private static void putShorts(ShortBuffer out, float[] data, boolean bfloat16) {
    for (float value : data) {
      out.put(bfloat16 ? toBfloat16(value) : toFloat16(value));
    }
  }

  private static void getShorts(ShortBuffer in, float[] out, boolean bfloat16) {
    for (int i = 0; i < out.length; i++) {
      short bits = in.get(i);
      out[i] = bfloat16 ? fromBfloat16(bits) : fromFloat16(bits);
    }
  }

  private static long elementCount(long[] shape, String field) {
    long count = 1;
    for (long dimension : shape) {
      if (dimension < 0) {
        throw wrongShape(field + " " + Arrays.toString(shape) + " has a negative dimension");
      }
      try {
        count = Math.multiplyExact(count, dimension);
      } catch (ArithmeticException overflow) {
        throw wrongShape(field + " " + Arrays.toString(shape) + " overflows a long");
      }
    }
    return count;
  }

  private static int bytesPerElement(Tensor.DType dtype, String field) {
    return switch (dtype) {
      case FLOAT32 -> 4;
      case FLOAT16, BFLOAT16 -> 2;
      default ->
          throw wrongShape(field + " is " + dtype + ", expected FLOAT32, FLOAT16 or BFLOAT16");
    };
  }

  private static ProtocolException wrongShape(String detail) {
    return new ProtocolException(Error.Code.WRONG_SHAPE, TENSOR_TYPE, detail);
  }
}

package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Tensor;

class TensorsTest {
  private static final double FP16_UNIT_ROUNDOFF = 0x1p-11; // 11 significant bits
  private static final double BF16_UNIT_ROUNDOFF = 0x1p-8; // 8 significant bits

  @Test
  void float32RoundTripIsBitExactAndLittleEndian() {
    SplittableRandom random = new SplittableRandom(7);
    float[] values = new float[10_000];
    for (int i = 0; i < values.length; i++) {
      values[i] = Float.intBitsToFloat(random.nextInt());
    }
    values[0] = -0.0f;
    values[1] = Float.MIN_VALUE;
    values[2] = Float.MAX_VALUE;
    values[3] = Float.NEGATIVE_INFINITY;
    Tensor tensor = Tensors.float32(values, 100, 100);

    assertThat(tensor.getShapeList()).containsExactly(100L, 100L);
    assertThat(tensor.getDtype()).isEqualTo(Tensor.DType.FLOAT32);
    assertThat(bits(Tensors.toFloats(tensor, "t"))).containsExactly(bits(values));
    assertThat(Tensors.float32(new float[] {1.0f}).getData().toByteArray())
        .containsExactly(0x00, 0x00, 0x80, 0x3f);
  }

  @Test
  void float16KnownBitPatterns() {
    assertThat(fp16(1.0f)).isEqualTo(0x3c00);
    assertThat(fp16(-2.0f)).isEqualTo(0xc000);
    assertThat(fp16(0.1f)).isEqualTo(0x2e66);
    assertThat(fp16(65504f)).isEqualTo(0x7bff); // largest finite half
    assertThat(fp16(0x1p-14f)).isEqualTo(0x0400); // smallest normal
    assertThat(fp16(0x1p-24f)).isEqualTo(0x0001); // smallest subnormal
    assertThat(fp16(1023 * 0x1p-24f)).isEqualTo(0x03ff); // largest subnormal
    assertThat(fp16(-0.0f)).isEqualTo(0x8000);
    assertThat(fp16(Float.POSITIVE_INFINITY)).isEqualTo(0x7c00);
    assertThat(fp16(Float.NEGATIVE_INFINITY)).isEqualTo(0xfc00);
    assertThat(fp16(Float.NaN) & 0x7c00).isEqualTo(0x7c00);
    assertThat(fp16(Float.NaN) & 0x03ff).isNotZero();
    assertThat(fp16(Float.intBitsToFloat(0x7f80_0001)) & 0x03ff).isNotZero(); // signalling NaN
    assertThat(Tensors.fromFloat16((short) 0x0001)).isEqualTo(0x1p-24f);
    assertThat(Tensors.fromFloat16((short) 0x7bff)).isEqualTo(65504f);
    assertThat(Tensors.fromFloat16((short) 0x7e00)).isNaN();
  }

  @Test
  void float16RoundsToNearestEven() {
    assertThat(fp16(1 + 0x1p-11f)).as("tie, 0x3c00 is even").isEqualTo(0x3c00);
    assertThat(fp16(1 + 3 * 0x1p-11f)).as("tie, 0x3c01 is odd").isEqualTo(0x3c02);
    assertThat(fp16(Math.nextUp(1 + 0x1p-11f))).as("just above the tie").isEqualTo(0x3c01);
    assertThat(fp16(65519.99f)).isEqualTo(0x7bff);
    assertThat(fp16(65520f)).as("tie above the largest half goes to infinity").isEqualTo(0x7c00);
    assertThat(fp16(0x1p-25f)).as("tie below the smallest subnormal goes to zero").isZero();
    assertThat(fp16(Math.nextUp(0x1p-25f))).isEqualTo(0x0001);
    assertThat(fp16(3 * 0x1p-25f)).as("subnormal tie, 1 is odd").isEqualTo(0x0002);
    assertThat(fp16(2047 * 0x1p-25f)).as("rounds up into the smallest normal").isEqualTo(0x0400);
  }

  @Test
  void everyFloat16SurvivesARoundTripThroughFloat() {
    for (int h = 0; h <= 0xffff; h++) {
      float value = Tensors.fromFloat16((short) h);
      if (Float.isNaN(value)) {
        assertThat(Tensors.fromFloat16(Tensors.toFloat16(value))).isNaN();
      } else {
        assertThat(fp16(value)).as("half 0x%04x", h).isEqualTo(h);
      }
    }
  }

  @Test
  void float16RelativeErrorIsAtMostHalfAnUlp() {
    SplittableRandom random = new SplittableRandom(11);
    for (int i = 0; i < 200_000; i++) {
      // Log-uniform over the normal half range [2^-14, 65504].
      float x =
          (float) (Math.pow(2, random.nextDouble(-14, 15.99)) * (random.nextBoolean() ? 1 : -1));
      float y = Tensors.fromFloat16(Tensors.toFloat16(x));
      assertThat(Math.abs((double) y - x) / Math.abs(x)).isLessThanOrEqualTo(FP16_UNIT_ROUNDOFF);
    }
    for (int i = 0; i < 10_000; i++) { // Subnormals: absolute error at most half of 2^-24.
      float x = (float) random.nextDouble(0, 0x1p-14);
      assertThat(Math.abs((double) Tensors.fromFloat16(Tensors.toFloat16(x)) - x))
          .isLessThanOrEqualTo(0x1p-25);
    }
  }

  @Test
  void bfloat16KnownBitPatternsAndRounding() {
    assertThat(bf16(1.0f)).isEqualTo(0x3f80);
    assertThat(bf16(-2.0f)).isEqualTo(0xc000);
    assertThat(bf16(Float.intBitsToFloat(0x0001_0000))).isEqualTo(0x0001); // smallest subnormal
    assertThat(bf16(Float.MIN_VALUE)).isZero();
    assertThat(bf16(Float.intBitsToFloat(0x7f7f_0000))).isEqualTo(0x7f7f); // largest finite
    assertThat(bf16(Float.MAX_VALUE)).as("rounds up to infinity").isEqualTo(0x7f80);
    assertThat(bf16(Float.POSITIVE_INFINITY)).isEqualTo(0x7f80);
    assertThat(bf16(Float.NEGATIVE_INFINITY)).isEqualTo(0xff80);
    assertThat(Tensors.fromBfloat16(Tensors.toBfloat16(Float.intBitsToFloat(0x7f80_0001))))
        .as("a NaN whose payload sits in the dropped half stays NaN")
        .isNaN();
    assertThat(bf16(1 + 0x1p-8f)).as("tie, 0x3f80 is even").isEqualTo(0x3f80);
    assertThat(bf16(1 + 3 * 0x1p-8f)).as("tie, 0x3f81 is odd").isEqualTo(0x3f82);
    assertThat(bf16(65504f)).isEqualTo(0x4780); // 65536
    assertThat(Tensors.fromBfloat16((short) 0xc000)).isEqualTo(-2.0f);
  }

  @Test
  void bfloat16RelativeErrorIsAtMostHalfAnUlp() {
    SplittableRandom random = new SplittableRandom(13);
    for (int i = 0; i < 200_000; i++) {
      float x =
          (float) (Math.pow(2, random.nextDouble(-120, 120)) * (random.nextBoolean() ? 1 : -1));
      float y = Tensors.fromBfloat16(Tensors.toBfloat16(x));
      assertThat(Math.abs((double) y - x) / Math.abs(x)).isLessThanOrEqualTo(BF16_UNIT_ROUNDOFF);
    }
  }

  @Test
  void halfPrecisionTensorsUseTwoLittleEndianBytesPerElement() {
    float[] values = {1f, -2f, 0.5f, 65504f};
    Tensor half = Tensors.encode(values, Tensor.DType.FLOAT16, 2, 2);
    Tensor brain = Tensors.encode(values, Tensor.DType.BFLOAT16, 4);
    assertThat(half.getData().size()).isEqualTo(8);
    assertThat(half.getData().substring(0, 2).toByteArray()).containsExactly(0x00, 0x3c);
    assertThat(Tensors.toFloats(half, "half")).containsExactly(values);
    assertThat(brain.getData().substring(0, 2).toByteArray()).containsExactly(0x80, 0x3f);
    assertThat(Tensors.toFloats(brain, "brain")).containsExactly(1f, -2f, 0.5f, 65536f);
  }

  @Test
  void scalarHasEmptyShape() {
    Tensor scalar = Tensors.float32(new float[] {4.5f});
    assertThat(scalar.getShapeCount()).isZero();
    assertThat(Tensors.toFloats(scalar, "loss")).containsExactly(4.5f);
  }

  @Test
  void shapeThatDoesNotMatchTheDataIsRefused() {
    assertThatThrownBy(() -> Tensors.float32(new float[5], 2, 3))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.WRONG_SHAPE);
              assertThat(e.getMessage()).contains("[2, 3]").contains("6").contains("5");
            });
    Tensor lying =
        Tensor.newBuilder()
            .addShape(4)
            .setDtype(Tensor.DType.FLOAT32)
            .setData(ByteString.copyFrom(new byte[12]))
            .build();
    assertThatThrownBy(() -> Tensors.toFloats(lying, "ShardResult.gradient"))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.WRONG_SHAPE);
              assertThat(e.getMessage())
                  .contains("ShardResult.gradient")
                  .contains("16 bytes")
                  .contains("12");
            });
  }

  @Test
  void negativeDimensionOverflowAndMissingDtypeAreRefused() {
    assertThatThrownBy(() -> Tensors.float32(new float[0], -1, 0))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.WRONG_SHAPE));
    Tensor overflowing =
        Tensor.newBuilder()
            .addShape(1L << 40)
            .addShape(1L << 40)
            .setDtype(Tensor.DType.FLOAT32)
            .build();
    assertThatThrownBy(() -> Tensors.toFloats(overflowing, "Features.features"))
        .hasMessageContaining("Features.features.shape");
    Tensor untyped = Tensor.newBuilder().addShape(0).build();
    assertThatThrownBy(() -> Tensors.toFloats(untyped, "ParameterSnapshot.params"))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.WRONG_SHAPE);
              assertThat(e.getMessage()).contains("ParameterSnapshot.params.dtype");
            });
  }

  private static int fp16(float value) {
    return Tensors.toFloat16(value) & 0xffff;
  }

  private static int bf16(float value) {
    return Tensors.toBfloat16(value) & 0xffff;
  }

  private static int[] bits(float[] values) {
    int[] bits = new int[values.length];
    for (int i = 0; i < values.length; i++) {
      bits[i] = Float.floatToRawIntBits(values[i]);
    }
    return bits;
  }
}

package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.Tensor;

/**
 * {@link ProtoCodec#decodeAliased} and {@link TensorView}: the coordinator's zero-copy path from
 * received bytes to the floats it sums.
 */
class AliasedDecodeTest {
  private final ProtoCodec<ShardResult> codec =
      ProtoCodec.of(ShardResult.class, ShardResult.getDefaultInstance());

  private static float[] values(int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) Math.sin(i) * 1e3f;
    }
    return v;
  }

  private Buffer frame(ShardResult r, int offset) {
    Buffer b = Buffer.buffer().appendBytes(new byte[offset]); // not at the buffer's start
    codec.encodeToWire(b, r);
    return b;
  }

  @Test
  void decodesTheSameMessageAsACopyingDecode() {
    ShardResult r =
        GoldenMessages.shardResult().toBuilder()
            .setGradient(Tensors.float32(values(1000), 1000))
            .build();
    Buffer b = frame(r, 3);
    assertThat(codec.decodeAliased(3, b)).isEqualTo(r).isEqualTo(codec.decodeFromWire(3, b));
  }

  @Test
  void theTensorBytesAreAViewOfTheBufferNotACopy() {
    float[] v = values(64);
    ShardResult r =
        GoldenMessages.shardResult().toBuilder().setGradient(Tensors.float32(v, 64)).build();
    Buffer b = frame(r, 0);
    ShardResult decoded = codec.decodeAliased(0, b);
    TensorView view = TensorView.of(decoded.getGradient(), "ShardResult.gradient");
    assertThat(view.get(5)).isEqualTo(v[5]);
    int at = indexOf(b.getBytes(), Tensors.float32(v, 64).getData().toByteArray());
    assertThat(at).as("the gradient's bytes are in the frame").isPositive();
    b.setFloatLE(at + 5 * Float.BYTES, 42f);
    assertThat(view.get(5)).as("seen through the decoded message").isEqualTo(42f);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
        return i;
      }
    }
    return -1;
  }

  @Test
  void refusesWhatTheCopyingDecodeRefuses() {
    ProtoCodec<ShardResult> small =
        new ProtoCodec<>(ShardResult.class, ShardResult.getDefaultInstance(), 100);
    assertThatThrownBy(() -> small.decodeAliased(0, Buffer.buffer().appendInt(101)))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.OVERSIZE));
    assertThatThrownBy(() -> codec.decodeAliased(0, Buffer.buffer().appendInt(10).appendInt(0)))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.MALFORMED));
    byte[] junk = new byte[20];
    Arrays.fill(junk, (byte) 0xFF);
    assertThatThrownBy(
            () -> codec.decodeAliased(0, Buffer.buffer().appendInt(20).appendBytes(junk)))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.MALFORMED));
  }

  @Test
  void viewReadsEveryDtypeAsToFloatsDecodesIt() {
    float[] v = values(5000);
    for (Tensor.DType dtype :
        new Tensor.DType[] {Tensor.DType.FLOAT32, Tensor.DType.FLOAT16, Tensor.DType.BFLOAT16}) {
      Tensor t = Tensors.encode(v, dtype, 50, 100);
      float[] expected = Tensors.toFloats(t, "x");
      TensorView view = TensorView.of(t, "x");
      assertThat(view.length()).isEqualTo(5000);
      float[] got = new float[5000];
      view.read(0, got, 0, 1234);
      view.read(1234, got, 1234, 5000 - 1234);
      assertThat(got).as("%s", dtype).containsExactly(expected);
      assertThat(view.get(4999)).isEqualTo(expected[4999]);
      assertThat(view.firstNonFinite()).isEqualTo(-1);
    }
  }

  @Test
  void viewFindsTheFirstNonFiniteValueAndChecksTheShape() {
    float[] v = values(40_000);
    v[33_333] = Float.POSITIVE_INFINITY;
    v[39_999] = Float.NaN;
    assertThat(TensorView.of(Tensors.float32(v, v.length), "x").firstNonFinite()).isEqualTo(33_333);
    Tensor bad = Tensors.float32(v, v.length).toBuilder().clearShape().addShape(3).build();
    assertThatThrownBy(() -> TensorView.of(bad, "ShardResult.gradient"))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.WRONG_SHAPE);
              assertThat(e.getMessage()).contains("ShardResult.gradient");
            });
  }
}

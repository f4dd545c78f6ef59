package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;

class CodecLimitsTest {
  private static final int LIMIT = 1024;
  private final ProtoCodec<ShardResult> codec =
      new ProtoCodec<>(ShardResult.class, ShardResult.getDefaultInstance(), LIMIT);

  @Test
  void oversizeLengthPrefixIsRefusedBeforeReadingThePayload() {
    // Only the prefix is present: had the codec tried to copy or parse the payload, it would have
    // reported a truncation (MALFORMED) instead.
    Buffer frame = Buffer.buffer().appendInt(LIMIT + 1);
    assertThatThrownBy(() -> codec.decodeFromWire(0, frame))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.OVERSIZE);
              assertThat(e.messageType()).isEqualTo("relreason.v1.ShardResult");
              assertThat(e.getMessage()).contains("1025").contains("1024");
            });
  }

  @Test
  void hugeOrNegativeLengthPrefixIsOversize() {
    Buffer frame = Buffer.buffer().appendInt(0xffff_fff0);
    assertThatThrownBy(() -> codec.decodeFromWire(0, frame))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.OVERSIZE));
  }

  @Test
  void senderRefusesToEncodeAnOversizeMessage() {
    ShardResult big =
        GoldenMessages.shardResult().toBuilder()
            .setGradient(Tensors.float32(new float[LIMIT], LIMIT))
            .build();
    assertThatThrownBy(() -> codec.encodeToWire(Buffer.buffer(), big))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.OVERSIZE));
  }

  @Test
  void defaultLimitAcceptsALargeSnapshot() {
    ProtoCodec<ParameterSnapshot> snapshots =
        ProtoCodec.of(ParameterSnapshot.class, ParameterSnapshot.getDefaultInstance());
    int n = 4_000_000; // 16 MB of float32, larger than Conv-4 or ResNet-18's flat vector halves.
    ParameterSnapshot snapshot =
        GoldenMessages.parameterSnapshot().toBuilder()
            .setParams(Tensors.float32(new float[n], n))
            .build();
    Buffer buffer = Buffer.buffer();
    snapshots.encodeToWire(buffer, snapshot);
    assertThat(snapshots.decodeFromWire(0, buffer)).isEqualTo(snapshot);
  }

  @Test
  void truncatedPayloadIsMalformed() {
    Buffer full = Buffer.buffer();
    codec.encodeToWire(full, GoldenMessages.shardResult());
    Buffer truncated = full.getBuffer(0, full.length() - 3);
    assertThatThrownBy(() -> codec.decodeFromWire(0, truncated))
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.MALFORMED);
              assertThat(e.getMessage()).contains("relreason.v1.ShardResult").contains("truncated");
            });
  }

  @Test
  void missingLengthPrefixIsMalformed() {
    assertThatThrownBy(() -> codec.decodeFromWire(0, Buffer.buffer(new byte[] {0, 0})))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.MALFORMED));
  }

  @Test
  void garbageBytesAreMalformedNotARawProtobufException() {
    byte[][] garbage = {
      {0x00}, // field number 0 is never valid
      {0x0a, (byte) 0xff, (byte) 0xff, 0x7f}, // length-delimited field longer than the payload
      {(byte) 0x82, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80}, // bad varint
      {0x0f}, // wire type 7 does not exist
    };
    for (byte[] payload : garbage) {
      Buffer frame = Buffer.buffer().appendInt(payload.length).appendBytes(payload);
      assertThatThrownBy(() -> codec.decodeFromWire(0, frame))
          .isInstanceOfSatisfying(
              ProtocolException.class,
              e -> {
                assertThat(e.code()).isEqualTo(Error.Code.MALFORMED);
                assertThat(e.messageType()).isEqualTo("relreason.v1.ShardResult");
              });
    }
  }

  @Test
  void errorReplyCarriesCodeTypeAndDetail() {
    ProtocolException e =
        new ProtocolException(Error.Code.OVERSIZE, "relreason.v1.ShardTask", "too big");
    Error reply = e.toError(GoldenMessages.header("coordinator", 3, 3));
    assertThat(reply.getCode()).isEqualTo(Error.Code.OVERSIZE);
    assertThat(reply.getMessageType()).isEqualTo("relreason.v1.ShardTask");
    assertThat(reply.getDetail()).isEqualTo("too big");
    assertThat(reply.getHeader().getStep()).isEqualTo(3);
  }

  @Test
  void limitMustLeaveRoomForThePrefix() {
    assertThatThrownBy(
            () ->
                new ProtoCodec<>(
                    ShardTask.class, ShardTask.getDefaultInstance(), Integer.MAX_VALUE))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new ProtoCodec<>(ShardTask.class, ShardTask.getDefaultInstance(), 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.ShardResult;

/**
 * The HMAC codec: what it accepts (its own messages, once, in any order close to the sending order)
 * and what it refuses before parsing (a changed byte anywhere, another key, a replay, a message
 * without a trailer, a clock too far off), and that the size limit still comes first.
 */
class MessageAuthTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final String DISCONNECT = Disconnect.getDescriptor().getFullName();
  private final AtomicLong now = new AtomicLong(1_700_000_000_000L);

  private ProtoCodec<Disconnect> codec(byte[] secret) {
    MessageAuth auth = new MessageAuth(secret, 60_000, now::get);
    return new ProtoCodec<>(Disconnect.class, Disconnect.getDefaultInstance(), 1 << 16, auth);
  }

  private static Disconnect disconnect(String worker) {
    return Disconnect.newBuilder()
        .setWorkerId(worker)
        .setReason(Disconnect.Reason.SHUTDOWN)
        .setDetail("spoofed?")
        .build();
  }

  /** A received frame as Vert.x hands it to a codec, and where the body starts. */
  record Frame(Buffer bytes, int bodyPos) {}

  /** Encodes as Vert.x's clustered event bus does: envelope first, the codec appends the body. */
  private static Frame send(ProtoCodec<Disconnect> c, Disconnect d, String address) {
    Buffer b = Buffer.buffer().appendInt(0).appendByte((byte) 2).appendByte((byte) -1);
    string(b, c.name());
    b.appendByte((byte) 0);
    string(b, address);
    b.appendInt(0); // no reply address
    string(b, "node-of-the-sender");
    b.appendInt(4); // no headers
    int bodyPos = b.length() - 4;
    c.encodeToWire(b, d);
    return new Frame(b.getBuffer(4, b.length()), bodyPos);
  }

  private static void string(Buffer b, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    b.appendInt(bytes.length).appendBytes(bytes);
  }

  private static void assertRefused(Runnable r, String why) {
    assertThatThrownBy(r::run)
        .isInstanceOfSatisfying(
            ProtocolException.class,
            e -> {
              assertThat(e.code()).isEqualTo(Error.Code.UNAUTHENTICATED);
              assertThat(e.getMessage()).contains(why);
            });
  }

  @Test
  void aMessageInItsEnvelopeIsAcceptedOnceAndItsReplayRefused() {
    ProtoCodec<Disconnect> sender = codec(SECRET);
    ProtoCodec<Disconnect> receiver = codec(SECRET);
    Frame f = send(sender, disconnect("w1"), Addresses.COORDINATOR_DISCONNECT);
    assertThat(f.bytes().length())
        .isEqualTo(
            f.bodyPos() + 4 + disconnect("w1").getSerializedSize() + MessageAuth.TRAILER_BYTES);
    assertThat(receiver.decodeFromWire(f.bodyPos(), f.bytes())).isEqualTo(disconnect("w1"));
    Buffer copy = f.bytes().copy();
    assertRefused(() -> receiver.decodeFromWire(f.bodyPos(), copy), "already accepted");
  }

  @Test
  void messagesArrivingOutOfOrderAreAcceptedUntilTheyFallBehindTheWindow() {
    ProtoCodec<Disconnect> sender = codec(SECRET);
    ProtoCodec<Disconnect> receiver = codec(SECRET);
    Frame first = send(sender, disconnect("a"), Addresses.COORDINATOR_DISCONNECT);
    Frame second = send(sender, disconnect("b"), Addresses.COORDINATOR_DISCONNECT);
    receiver.decodeFromWire(second.bodyPos(), second.bytes());
    assertThat(receiver.decodeFromWire(first.bodyPos(), first.bytes()).getWorkerId())
        .isEqualTo("a");

    Frame old = send(sender, disconnect("old"), Addresses.COORDINATOR_DISCONNECT);
    Frame last = null;
    for (int i = 0; i < MessageAuth.REORDER; i++) {
      last = send(sender, disconnect("n" + i), Addresses.COORDINATOR_DISCONNECT);
    }
    receiver.decodeFromWire(last.bodyPos(), last.bytes());
    assertRefused(() -> receiver.decodeFromWire(old.bodyPos(), old.bytes()), "behind");
  }

  @Test
  void anyChangedByteIsRefused() {
    ProtoCodec<Disconnect> sender = codec(SECRET);
    Frame f = send(sender, disconnect("w1"), Addresses.COORDINATOR_DISCONNECT);
    // every byte of the envelope after the codec name, of the protobuf and of the trailer
    int from = 2 + 4 + DISCONNECT.length();
    for (int i = from; i < f.bytes().length(); i++) {
      if (i >= f.bodyPos() && i < f.bodyPos() + 4) {
        continue; // the length prefix: a changed one is a truncation or an oversize
      }
      Buffer tampered = f.bytes().copy();
      tampered.setByte(i, (byte) (tampered.getByte(i) ^ 0x01));
      ProtoCodec<Disconnect> receiver = codec(SECRET);
      int at = i;
      assertThatThrownBy(() -> receiver.decodeFromWire(f.bodyPos(), tampered))
          .as("byte %d changed", at)
          .isInstanceOfSatisfying(
              ProtocolException.class,
              e -> assertThat(e.code()).isEqualTo(Error.Code.UNAUTHENTICATED));
    }
  }

  @Test
  void anotherKeyIsRefused() {
    Frame f = send(codec(SECRET), disconnect("w1"), Addresses.COORDINATOR_DISCONNECT);
    ProtoCodec<Disconnect> other = codec("another secret of thirty-two bytes".getBytes());
    assertRefused(() -> other.decodeFromWire(f.bodyPos(), f.bytes()), "wrong MAC");
  }

  @Test
  void aSenderWithoutTheSecretIsRefused() {
    ProtoCodec<Disconnect> plain =
        new ProtoCodec<>(Disconnect.class, Disconnect.getDefaultInstance(), 1 << 16);
    Frame f = send(plain, disconnect("w1"), Addresses.COORDINATOR_DISCONNECT);
    assertRefused(
        () -> codec(SECRET).decodeFromWire(f.bodyPos(), f.bytes()), "no authentication trailer");
  }

  @Test
  void aClockOutsideTheWindowIsRefused() {
    Frame f = send(codec(SECRET), disconnect("w1"), Addresses.COORDINATOR_DISCONNECT);
    ProtoCodec<Disconnect> receiver = codec(SECRET);
    now.addAndGet(60_001);
    assertRefused(() -> receiver.decodeFromWire(f.bodyPos(), f.bytes()), "s allowed");
  }

  @Test
  void oversizeIsRefusedBeforeAnyAuthenticationWork() {
    // only the envelope and a huge length prefix: no protobuf, no trailer to check
    Frame f = send(codec(SECRET), disconnect("w1"), Addresses.COORDINATOR_DISCONNECT);
    Buffer huge = f.bytes().getBuffer(0, f.bodyPos()).appendInt(0x7fff_fff0);
    assertThatThrownBy(() -> codec(SECRET).decodeFromWire(f.bodyPos(), huge))
        .isInstanceOfSatisfying(
            ProtocolException.class, e -> assertThat(e.code()).isEqualTo(Error.Code.OVERSIZE));
  }

  @Test
  void detachedBytesAreReadOnlyAsDetached() {
    MessageAuth a = new MessageAuth(SECRET, 60_000, now::get);
    MessageAuth b = new MessageAuth(SECRET, 60_000, now::get);
    ProtoCodec<ShardResult> out =
        new ProtoCodec<>(ShardResult.class, ShardResult.getDefaultInstance(), 1 << 20, a);
    ProtoCodec<ShardResult> in =
        new ProtoCodec<>(ShardResult.class, ShardResult.getDefaultInstance(), 1 << 20, b);
    ShardResult r = GoldenMessages.shardResult();
    Buffer bytes = Buffer.buffer();
    out.encodeDetached(bytes, r);
    assertThat(in.decodeAliased(0, bytes)).isEqualTo(r);
    assertRefused(() -> in.decodeAliased(0, bytes.copy()), "already accepted");
    // detached bytes cannot pass for a message of the envelope's, nor be made without one
    assertRefused(() -> in.decodeFromWire(0, bytes), "envelope");
    assertThatThrownBy(() -> out.encodeToWire(Buffer.buffer(), r))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void anUnauthenticatedRefusalTellsNothingAboutTheRun() {
    ProtocolException e =
        new ProtocolException(Error.Code.UNAUTHENTICATED, DISCONNECT, "wrong MAC from sender x");
    Error reply = e.toError(org.relreason.protocol.v1.Header.newBuilder().setRunId("run").build());
    assertThat(reply.hasHeader()).isFalse();
    assertThat(reply.getDetail()).isEqualTo(ProtocolException.UNAUTHENTICATED_DETAIL);
    assertThat(reply.toString()).doesNotContain("run").doesNotContain("sender x");
  }

  @Test
  void theKeyIsNeverShown() {
    MessageAuth a = MessageAuth.of(SECRET);
    assertThat(a.toString()).doesNotContain(new String(SECRET)).contains("***");
    assertThatThrownBy(() -> MessageAuth.of(new byte[31]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("32 bytes");
  }
}

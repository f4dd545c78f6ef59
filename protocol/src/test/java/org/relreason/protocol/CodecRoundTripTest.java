package org.relreason.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.Message;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CodecRoundTripTest {
  private static final List<ProtoCodec<?>> CODECS = Codecs.codecs(ProtoCodec.DEFAULT_MAX_BYTES);

  static Stream<Message> messages() {
    return GoldenMessages.all().values().stream();
  }

  @Test
  void everyWireTypeHasAFixtureAndAUniqueCodecName() {
    assertThat(GoldenMessages.all().values())
        .extracting(Object::getClass)
        .containsExactlyInAnyOrderElementsOf(Codecs.WIRE_TYPES);
    assertThat(CODECS).extracting(ProtoCodec::name).doesNotHaveDuplicates();
    assertThat(CODECS).allSatisfy(codec -> assertThat(codec.name()).startsWith("relreason.v1."));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void wireRoundTripGivesAnEqualMessage(Message message) {
    assertThat(roundTrip(message, 0)).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void decodesAtAnOffsetInsideALargerFrame(Message message) {
    // On a clustered bus the codec's bytes follow the event-bus frame header.
    assertThat(roundTrip(message, 37)).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("messages")
  void localTransformSharesTheImmutableInstance(Message message) {
    assertThat(transform(message)).isSameAs(message);
  }

  private static <T extends Message> T roundTrip(T message, int offset) {
    ProtoCodec<T> codec = codecFor(message);
    Buffer buffer = Buffer.buffer().appendBytes(new byte[offset]);
    codec.encodeToWire(buffer, message);
    buffer.appendString("trailing bytes of the next frame");
    return codec.decodeFromWire(offset, buffer);
  }

  private static <T extends Message> T transform(T message) {
    return codecFor(message).transform(message);
  }

  @SuppressWarnings("unchecked") // Generated message classes are final.
  private static <T extends Message> ProtoCodec<T> codecFor(T message) {
    return Codecs.find(CODECS, (Class<T>) message.getClass());
  }
}

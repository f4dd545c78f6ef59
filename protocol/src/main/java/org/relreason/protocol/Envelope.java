package org.relreason.protocol;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.relreason.protocol.v1.Error;

/**
 * The bytes Vert.x's clustered event bus writes before a message body (its {@code ClusteredMessage}
 * wire form, version 2 in Vert.x 5): a version byte, the codec id (-1 for a user codec) and the
 * codec's name, then the send flag, address, reply address, sending node and delivery headers. A
 * codec sees them in the buffer it encodes into (after a 4-byte length placeholder) and in the
 * buffer it decodes from (before the body's position), so it can authenticate them.
 *
 * <p>Both sides check that the bytes start with the codec id -1 and this codec's name: should a
 * Vert.x upgrade change the layout, authenticated messages fail loudly instead of being sent with
 * an envelope nobody checks.
 */
final class Envelope {
  private static final int LENGTH_PLACEHOLDER = 4;
  private static final byte USER_CODEC = -1;

  private Envelope() {}

  /** The envelope already written to {@code buffer}, into which the body is about to go. */
  static byte[] ofEncoding(Buffer buffer, String codecName) {
    if (!named(buffer, LENGTH_PLACEHOLDER, buffer.length(), codecName)) {
      throw new IllegalStateException(
          "an authenticating codec ("
              + codecName
              + ") must encode inside a clustered event-bus"
              + " envelope; use encodeDetached for a Buffer body");
    }
    return buffer.getBytes(LENGTH_PLACEHOLDER, buffer.length());
  }

  /** The envelope before the body at {@code pos} of a received frame. */
  static byte[] ofDecoding(Buffer buffer, int pos, String codecName) {
    if (!named(buffer, 0, pos, codecName)) {
      throw new ProtocolException(
          Error.Code.UNAUTHENTICATED,
          codecName,
          "message authentication failed: not inside a clustered event-bus envelope");
    }
    return buffer.getBytes(0, pos);
  }

  /** Whether {@code [from, to)} starts with a version byte, the user-codec id and {@code name}. */
  private static boolean named(Buffer b, int from, int to, String name) {
    byte[] expected = name.getBytes(StandardCharsets.UTF_8);
    int nameAt = from + 2 + Integer.BYTES;
    if (from < 0 || to > b.length() || to - nameAt < expected.length) {
      return false;
    }
    return b.getByte(from + 1) == USER_CODEC
        && b.getInt(from + 2) == expected.length
        && Arrays.equals(b.getBytes(nameAt, nameAt + expected.length), expected);
  }
}

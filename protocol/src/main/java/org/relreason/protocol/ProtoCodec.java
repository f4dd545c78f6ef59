package org.relreason.protocol;

import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import com.google.protobuf.UnsafeByteOperations;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.internal.buffer.BufferInternal;
import java.util.Objects;
import org.relreason.protocol.v1.Error;

/**
 * Vert.x event-bus codec for one protobuf message type.
 *
 * <p>Wire form inside the event-bus frame: a 4-byte big-endian length {@code n} followed by the
 * {@code n} bytes of the protobuf encoding. The length is checked against {@link #maxBytes()}
 * before anything is copied or parsed, so a corrupt or hostile frame cannot make the receiver
 * allocate gigabytes. Local delivery skips the wire entirely: protobuf messages are immutable, so
 * {@link #transform} hands over the same instance.
 *
 * <p>With a {@link MessageAuth} (cluster mode with a run secret) every encoding is followed by an
 * HMAC trailer, checked after the size limit and before parsing: a message without a valid one is
 * refused as {@code UNAUTHENTICATED}. Encodings made by {@link #encodeToWire} inside the event
 * bus's envelope also authenticate that envelope; {@link #encodeDetached} makes the bytes of a
 * message sent as a {@code Buffer} body (a worker's shard result), which {@link #decodeAliased}
 * reads.
 *
 * @param <T> the generated message class
 */
public final class ProtoCodec<T extends Message> implements MessageCodec<T, T> {
  /** Default size limit: 256 MiB, comfortably above a float32 ResNet-18 (≈ 45 MiB) snapshot. */
  public static final int DEFAULT_MAX_BYTES = 256 * 1024 * 1024;

  private static final int LENGTH_PREFIX_BYTES = Integer.BYTES;

  private final Class<T> type;
  private final Parser<T> parser;
  private final String typeName;
  private final int maxBytes;
  private final MessageAuth auth;

  /**
   * @param type the generated class, e.g. {@code ShardTask.class}
   * @param defaultInstance its default instance, e.g. {@code ShardTask.getDefaultInstance()}
   * @param maxBytes largest protobuf encoding accepted, in bytes (at most {@code 2^31 - 5})
   */
  public ProtoCodec(Class<T> type, T defaultInstance, int maxBytes) {
    this(type, defaultInstance, maxBytes, null);
  }

  /**
   * As {@link #ProtoCodec(Class, Message, int)}, authenticating every message with {@code auth}
   * ({@code null}: none).
   */
  public ProtoCodec(Class<T> type, T defaultInstance, int maxBytes, MessageAuth auth) {
    if (maxBytes <= 0 || maxBytes > Integer.MAX_VALUE - LENGTH_PREFIX_BYTES) {
      throw new IllegalArgumentException("maxBytes must be in [1, 2^31 - 5], got " + maxBytes);
    }
    this.type = Objects.requireNonNull(type, "type");
    this.parser = parserOf(type, defaultInstance);
    this.typeName = defaultInstance.getDescriptorForType().getFullName();
    this.maxBytes = maxBytes;
    this.auth = auth;
  }

  /** A codec for {@code type} with the {@link #DEFAULT_MAX_BYTES default size limit}. */
  public static <T extends Message> ProtoCodec<T> of(Class<T> type, T defaultInstance) {
    return new ProtoCodec<>(type, defaultInstance, DEFAULT_MAX_BYTES);
  }

  /** The message class this codec handles. */
  public Class<T> type() {
    return type;
  }

  /** Full protobuf name of the message type, e.g. {@code relreason.v1.ShardTask}. */
  public String typeName() {
    return typeName;
  }

  /** Largest protobuf encoding this codec sends or accepts, in bytes. */
  public int maxBytes() {
    return maxBytes;
  }

  /** Whether this codec authenticates its messages (a run secret is set). */
  public boolean authenticates() {
    return auth != null;
  }

  /**
   * Appends the length-prefixed encoding of {@code message}.
   *
   * @throws ProtocolException OVERSIZE if the encoding exceeds {@link #maxBytes()}: failing at the
   *     sender names the culprit, where the receiver could only drop the frame
   */
  @Override
  public void encodeToWire(Buffer buffer, T message) {
    byte[] bytes = encoded(message);
    byte[] envelope = auth == null ? null : Envelope.ofEncoding(buffer, typeName);
    buffer.appendInt(bytes.length).appendBytes(bytes);
    if (auth != null) {
      auth.seal(buffer, MessageAuth.BOUND, typeName, envelope, bytes);
    }
  }

  /**
   * Appends the encoding of a message that travels as a {@code Buffer} body rather than through
   * this codec on the event bus; {@link #decodeAliased} reads it. Without authentication the same
   * bytes as {@link #encodeToWire}.
   */
  public void encodeDetached(Buffer buffer, T message) {
    byte[] bytes = encoded(message);
    buffer.appendInt(bytes.length).appendBytes(bytes);
    if (auth != null) {
      auth.seal(buffer, MessageAuth.DETACHED, typeName, new byte[0], bytes);
    }
  }

  private byte[] encoded(T message) {
    checkSize(message.getSerializedSize());
    return message.toByteArray();
  }

  /**
   * Decodes the message starting at {@code pos}.
   *
   * @throws ProtocolException OVERSIZE if the length prefix exceeds {@link #maxBytes()} (checked
   *     before anything else); UNAUTHENTICATED if the codec authenticates and the trailer is
   *     missing, wrong or replayed (checked before parsing); MALFORMED if the frame is truncated or
   *     the bytes do not parse
   */
  @Override
  public T decodeFromWire(int pos, Buffer buffer) {
    int size = checkedFrame(pos, buffer);
    int start = pos + LENGTH_PREFIX_BYTES;
    if (auth != null) {
      byte[] envelope = Envelope.ofDecoding(buffer, pos, typeName);
      auth.open(buffer, MessageAuth.BOUND, typeName, envelope, start, size);
    }
    try {
      return parser.parseFrom(buffer.getBytes(start, start + size));
    } catch (InvalidProtocolBufferException e) {
      throw malformed(e.getMessage(), e);
    }
  }

  /**
   * Decodes the message starting at {@code pos} as {@link #decodeFromWire} does (same size checks,
   * same refusals), but without copying: its {@code bytes} fields (tensor data) are views of {@code
   * buffer}, so the buffer must not change while the message is in use. For the coordinator's shard
   * results, whose 86 MB (ResNet-34) would otherwise be copied twice (buffer to array, array to
   * {@code ByteString}) before being read once. With authentication it reads what {@link
   * #encodeDetached} wrote (a message sent as a {@code Buffer} body).
   */
  public T decodeAliased(int pos, Buffer buffer) {
    int size = checkedFrame(pos, buffer);
    int start = pos + LENGTH_PREFIX_BYTES;
    if (auth != null) {
      auth.open(buffer, MessageAuth.DETACHED, typeName, new byte[0], start, size);
    }
    try {
      // Aliasing needs an input protobuf knows to be immutable, which only a ByteString's own
      // codedInput is; unsafeWrap makes that ByteString over the bytes without a copy.
      CodedInputStream in = bytesOf(buffer, start, size).newCodedInput();
      in.enableAliasing(true);
      return parser.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      throw malformed(e.getMessage(), e);
    }
  }

  /** The bytes {@code [start, start + size)} of {@code buffer}, as a view where Vert.x allows. */
  private static ByteString bytesOf(Buffer buffer, int start, int size) {
    if (buffer instanceof BufferInternal internal) {
      // Netty's nioBuffer of a heap buffer wraps its array (no copy); Buffer positions are the
      // ByteBuf's absolute indices.
      return UnsafeByteOperations.unsafeWrap(internal.getByteBuf().nioBuffer(start, size));
    }
    return UnsafeByteOperations.unsafeWrap(buffer.getBytes(start, start + size));
  }

  /** Returns {@code message} itself: protobuf messages are immutable, so sharing is safe. */
  @Override
  public T transform(T message) {
    return message;
  }

  /** The codec name on the event bus: the full protobuf type name, unique per wire type. */
  @Override
  public String name() {
    return typeName;
  }

  /** Always -1: a user codec, not one of Vert.x's built-in ones. */
  @Override
  public byte systemCodecID() {
    return -1;
  }

  /** The length prefix at {@code pos}, after checking it against the limit and the buffer. */
  private int checkedFrame(int pos, Buffer buffer) {
    if (pos < 0 || buffer.length() - pos < LENGTH_PREFIX_BYTES) {
      throw malformed("no room for the 4-byte length prefix at position " + pos, null);
    }
    int size = buffer.getInt(pos);
    checkSize(size);
    int start = pos + LENGTH_PREFIX_BYTES;
    if (buffer.length() - start < size) {
      throw malformed(
          "truncated: length prefix says "
              + size
              + " bytes, "
              + (buffer.length() - start)
              + " left",
          null);
    }
    return size;
  }

  private void checkSize(int size) {
    if (size < 0 || size > maxBytes) {
      throw new ProtocolException(
          Error.Code.OVERSIZE,
          typeName,
          "encoded size " + Integer.toUnsignedString(size) + " bytes exceeds limit " + maxBytes);
    }
  }

  private ProtocolException malformed(String detail, Throwable cause) {
    return new ProtocolException(Error.Code.MALFORMED, typeName, detail, cause);
  }

  @SuppressWarnings("unchecked") // Generated classes return Parser<Self> from getParserForType().
  private static <T extends Message> Parser<T> parserOf(Class<T> type, T defaultInstance) {
    if (!type.isInstance(defaultInstance)) {
      throw new IllegalArgumentException(defaultInstance.getClass() + " is not a " + type);
    }
    return (Parser<T>) defaultInstance.getParserForType();
  }
}

package org.relreason.protocol;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.relreason.protocol.v1.Error;

/**
 * HMAC-SHA256 (JDK {@link Mac}) over every relreason message that crosses the event bus, keyed by
 * the run secret, with replay protection. One instance per node (Vert.x instance): it holds the
 * key, this node's random sender id and its message counter, and what it has accepted from others.
 *
 * <p>The trailer a sender appends after the protobuf bytes ({@value #TRAILER_BYTES} bytes):
 *
 * <pre>
 *   mode      1 byte    BOUND (inside an event-bus envelope) or DETACHED (a Buffer body)
 *   sender   16 bytes   random per node and start, so a restarted node never reuses a counter
 *   counter   8 bytes   strictly increasing per sender
 *   time      8 bytes   sender's wall clock, Unix milliseconds
 *   mac      32 bytes   HMAC-SHA256(key, tag | mode | type | envelope | sender | counter | time | protobuf)
 * </pre>
 *
 * <p>BOUND messages also authenticate the Vert.x envelope written before them (address, reply
 * address, sending node, delivery headers): a node without the secret that intercepts a genuine
 * request (any Hazelcast member can subscribe to any address) cannot re-send it with its own reply
 * address, so a relayed parameter request is refused instead of answered to the relay.
 *
 * <p>A receiver refuses, before parsing: a missing trailer, a wrong MAC (compared in constant
 * time), a time more than {@link #windowMillis()} from its own clock, a counter it has already
 * accepted from that sender or one too far behind that sender's newest ({@value #REORDER} messages:
 * a node's messages to one receiver travel on one connection, nearly in order). What it accepted is
 * kept per sender for two windows, the longest a message it accepted stays acceptable by time.
 */
public final class MessageAuth {
  /** Bytes the trailer adds to every message. */
  public static final int TRAILER_BYTES = 1 + 16 + 8 + 8 + 32;

  /** How far a message's time may be from the receiver's clock: Kerberos's default skew. */
  public static final long DEFAULT_WINDOW_MILLIS = 5 * 60_000;

  /** Messages of one sender that may arrive after a later one of its. */
  static final int REORDER = 1024;

  /** Senders remembered at most; only senders holding the secret get this far. */
  static final int MAX_SENDERS = 65_536;

  static final byte BOUND = 1;
  static final byte DETACHED = 2;

  private static final String ALGORITHM = "HmacSHA256";
  private static final byte[] TAG = "relreason-mac-v1".getBytes(StandardCharsets.US_ASCII);
  private static final int SENDER_BYTES = 16;
  private static final int MAC_BYTES = 32;

  private final SecretKeySpec key;
  private final byte[] sender = new byte[SENDER_BYTES];
  private final AtomicLong counter = new AtomicLong();
  private final long windowMillis;
  private final LongSupplier clock;
  private final Map<String, Window> seen = new ConcurrentHashMap<>();

  /**
   * @param secret the run secret (at least 32 bytes); the MAC key is derived from it, the array is
   *     not kept
   * @param windowMillis largest accepted distance between a message's time and this node's clock
   * @param clock this node's wall clock, Unix milliseconds
   */
  public MessageAuth(byte[] secret, long windowMillis, LongSupplier clock) {
    if (secret == null || secret.length < 32) {
      throw new IllegalArgumentException("the run secret must have at least 32 bytes");
    }
    if (windowMillis <= 0) {
      throw new IllegalArgumentException("windowMillis must be positive, got " + windowMillis);
    }
    // A derived key, so the file's bytes serve only this purpose (and this version of it).
    byte[] derived = hmac(new SecretKeySpec(secret, ALGORITHM), TAG);
    this.key = new SecretKeySpec(derived, ALGORITHM);
    Arrays.fill(derived, (byte) 0);
    new SecureRandom().nextBytes(sender);
    this.windowMillis = windowMillis;
    this.clock = clock;
  }

  /** With the {@link #DEFAULT_WINDOW_MILLIS default window} and the system clock. */
  public static MessageAuth of(byte[] secret) {
    return new MessageAuth(secret, DEFAULT_WINDOW_MILLIS, System::currentTimeMillis);
  }

  /** The accepted distance between a message's time and this node's clock, milliseconds. */
  public long windowMillis() {
    return windowMillis;
  }

  /** This node's sender id, in hex (for logs: not secret). */
  public String senderId() {
    return HexFormat.of().formatHex(sender);
  }

  /** Appends the trailer of {@code protobuf} to {@code out}. */
  void seal(Buffer out, byte mode, String type, byte[] envelope, byte[] protobuf) {
    long n = counter.incrementAndGet();
    long time = clock.getAsLong();
    byte[] mac = mac(mode, type, envelope, sender, n, time, ByteBuffer.wrap(protobuf));
    out.appendByte(mode).appendBytes(sender).appendLong(n).appendLong(time).appendBytes(mac);
  }

  /**
   * Checks the trailer that follows the {@code size} protobuf bytes at {@code start} of {@code in}.
   *
   * @throws ProtocolException UNAUTHENTICATED naming why (for the receiver's log only: the sender
   *     is told nothing, see {@link ProtocolException#toError})
   */
  void open(Buffer in, byte mode, String type, byte[] envelope, int start, int size) {
    int t = start + size;
    if (in.length() - t < TRAILER_BYTES) {
      throw refused(type, "no authentication trailer (is the sender's --cluster-secret-file set?)");
    }
    byte[] from = in.getBytes(t + 1, t + 1 + SENDER_BYTES);
    long n = in.getLong(t + 1 + SENDER_BYTES);
    long time = in.getLong(t + 1 + SENDER_BYTES + 8);
    byte[] claimed = in.getBytes(t + TRAILER_BYTES - MAC_BYTES, t + TRAILER_BYTES);
    byte[] mac = mac(in.getByte(t), type, envelope, from, n, time, view(in, start, size));
    if (!MessageDigest.isEqual(mac, claimed)) {
      throw refused(type, "wrong MAC (another run secret, or the message was altered)");
    }
    if (in.getByte(t) != mode) {
      throw refused(type, mode == BOUND ? "a detached message in an envelope" : "not detached");
    }
    long now = clock.getAsLong();
    if (Math.abs(now - time) > windowMillis) {
      throw refused(
          type,
          "sent "
              + (now - time) / 1000
              + " s from this node's clock, more than the "
              + windowMillis / 1000
              + " s allowed (are the clocks synchronised?)");
    }
    String id = HexFormat.of().formatHex(from);
    String replay = window(id, now).accept(n, now);
    if (replay != null) {
      throw refused(type, "from sender " + id + ": " + replay);
    }
  }

  private Window window(String id, long now) {
    Window w = seen.get(id);
    if (w != null) {
      return w;
    }
    if (seen.size() >= MAX_SENDERS / 2) {
      // a window older than two windows can hold nothing a replay could still use
      seen.values().removeIf(old -> old.idleSince(now) > 2 * windowMillis);
    }
    if (seen.size() >= MAX_SENDERS) {
      throw new ProtocolException(
          Error.Code.UNAUTHENTICATED, "relreason", "too many senders (" + seen.size() + ")");
    }
    return seen.computeIfAbsent(id, k -> new Window());
  }

  private static ProtocolException refused(String type, String why) {
    return new ProtocolException(
        Error.Code.UNAUTHENTICATED, type, "message authentication failed: " + why);
  }

  private byte[] mac(
      byte mode,
      String type,
      byte[] envelope,
      byte[] from,
      long n,
      long time,
      ByteBuffer protobuf) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(key);
      byte[] typeBytes = type.getBytes(StandardCharsets.UTF_8);
      ByteBuffer fixed = ByteBuffer.allocate(1 + 4 + 4 + SENDER_BYTES + 8 + 8 + 4);
      m.update(TAG);
      m.update(fixed.put(mode).putInt(typeBytes.length).array(), 0, 5);
      m.update(typeBytes);
      fixed.clear();
      m.update(fixed.putInt(envelope.length).array(), 0, 4);
      m.update(envelope);
      fixed.clear();
      fixed.put(from).putLong(n).putLong(time).putInt(protobuf.remaining());
      m.update(fixed.array(), 0, fixed.position());
      m.update(protobuf);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }

  private static byte[] hmac(SecretKeySpec k, byte[] data) {
    try {
      Mac m = Mac.getInstance(ALGORITHM);
      m.init(k);
      return m.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
    }
  }

  /** The bytes {@code [start, start + size)} of {@code b}, without a copy where Vert.x allows. */
  private static ByteBuffer view(Buffer b, int start, int size) {
    if (b instanceof BufferInternal internal) {
      return internal.getByteBuf().nioBuffer(start, size);
    }
    return ByteBuffer.wrap(b.getBytes(start, start + size));
  }

  /**
   * The counters accepted from one sender: the newest, and which of the {@value #REORDER} before.
   */
  private static final class Window {
    private long newest;
    private final long[] bits = new long[REORDER / Long.SIZE]; // bit i: newest - i accepted
    private long lastSeen;

    synchronized long idleSince(long now) {
      return now - lastSeen;
    }

    /** Records {@code n}; the reason it is refused, or {@code null}. */
    synchronized String accept(long n, long now) {
      if (n > newest) {
        shift(n - newest);
        newest = n;
        bits[0] |= 1L;
      } else {
        long back = newest - n;
        if (back >= REORDER) {
          return "counter " + n + " is more than " + REORDER + " behind " + newest;
        }
        long bit = 1L << (back % Long.SIZE);
        int word = (int) (back / Long.SIZE);
        if ((bits[word] & bit) != 0) {
          return "counter " + n + " was already accepted (a replay)";
        }
        bits[word] |= bit;
      }
      lastSeen = now;
      return null;
    }

    /** Moves every bit {@code by} places towards older counters. */
    private void shift(long by) {
      if (by >= REORDER) {
        Arrays.fill(bits, 0);
        return;
      }
      int words = (int) (by / Long.SIZE);
      int rest = (int) (by % Long.SIZE);
      for (int i = bits.length - 1; i >= 0; i--) {
        int from = i - words;
        long hi = from >= 0 ? bits[from] << rest : 0;
        long lo = rest > 0 && from - 1 >= 0 ? bits[from - 1] >>> (Long.SIZE - rest) : 0;
        bits[i] = hi | lo;
      }
    }
  }

  /** Never shows the key. */
  @Override
  public String toString() {
    return "MessageAuth[HMAC-SHA256, sender " + senderId() + ", key ***]";
  }
}

package org.relreason.coordinator.cluster;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.core.net.NetServer;
import io.vertx.core.net.NetServerOptions;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's public event-bus port: reads each frame's 4-byte length prefix and closes the
 * connection when it exceeds the limit, before a byte of the frame is buffered; other bytes are
 * relayed unchanged to the clustered event bus, which listens on loopback only.
 *
 * <p>Why a relay: Vert.x 5.1.5's clustered event bus reads a connection with {@code
 * RecordParser.newFixed(4)} and then {@code fixedSizeMode(length)} with whatever length the peer
 * sent ({@code InboundConnection.decodeMessage}); the parser accumulates the whole record before
 * the message codec sees it, and neither {@link EventBusOptions} nor the parser's {@code
 * maxRecordSize} (not set there, and private) bounds it. So a prefix of {@code 0x7ffffff0} from
 * anyone who can reach the port made the JVM buffer up to 2 GiB. The relay streams: it holds at
 * most one read chunk, and the event bus behind it never sees a frame over the limit.
 *
 * <p>With event-bus TLS the relay terminates TLS with the node's own stores (client certificates
 * required) and speaks TLS to the loopback event bus too, so nothing on the host can bypass it.
 * Runs on a Vert.x of its own (one event loop), started before the clustered one, because the
 * clustered event bus must be told the public port it advertises.
 */
public final class FrameGuard {
  private static final Logger LOG = LoggerFactory.getLogger(FrameGuard.class);

  /** Bytes a frame holds besides the message codec's part: addresses, codec name, headers. */
  public static final int ENVELOPE_BYTES = 64 * 1024;

  private final Vertx vertx;
  private final NetServer server;
  private final NetClient client;
  private final Context context;
  private final List<Connection> early = new ArrayList<>();
  private SocketAddress inner; // null until the event bus behind has started
  private final int maxFrameBytes;
  private final LongAdder refused = new LongAdder();
  private volatile Consumer<String> onRefused = detail -> {};

  private FrameGuard(Vertx vertx, NetServer server, NetClient client, int maxFrameBytes) {
    this.vertx = vertx;
    this.server = server;
    this.client = client;
    this.context = vertx.getOrCreateContext(); // the one event loop, as the server's handlers
    this.maxFrameBytes = maxFrameBytes;
  }

  /**
   * Listens on {@code bus}'s host and port (0: any free port); relays to the address given by
   * {@link #target} (connections before that are refused once their prefix is checked).
   *
   * @param bus the public side's options (host, port, TLS), as the event bus would use them
   * @param maxFrameBytes largest frame accepted, length prefix excluded
   */
  public static Future<FrameGuard> start(EventBusOptions bus, int maxFrameBytes) {
    if (maxFrameBytes <= 0) {
      throw new IllegalArgumentException(
          "--max-frame-bytes must be positive, got " + maxFrameBytes);
    }
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    // the same TLS settings the event bus gives its own server and client
    NetServer server = vertx.createNetServer(new NetServerOptions(bus.toJson()));
    NetClient client =
        vertx.createNetClient(
            new NetClientOptions(bus.toJson()).setHostnameVerificationAlgorithm(""));
    FrameGuard guard = new FrameGuard(vertx, server, client, maxFrameBytes);
    server.connectHandler(guard::relay);
    return server
        .listen(bus.getPort(), bus.getHost())
        .map(s -> guard)
        .onFailure(e -> vertx.close());
  }

  /** Relays to {@code address}, the started event bus, from now on. */
  FrameGuard target(SocketAddress address) {
    context.runOnContext(
        v -> {
          inner = address;
          early.forEach(this::connect);
          early.clear();
        });
    return this;
  }

  /** The public port (the one to advertise). */
  public int port() {
    return server.actualPort();
  }

  /** Largest frame accepted, length prefix excluded. */
  public int maxFrameBytes() {
    return maxFrameBytes;
  }

  /** Connections closed for an oversize frame so far. */
  public long refused() {
    return refused.sum();
  }

  /** Also tells {@code l} (called on the guard's event loop) of each refused frame. */
  public FrameGuard onRefused(Consumer<String> l) {
    this.onRefused = l;
    return this;
  }

  /** Stops listening and closes every relayed connection. */
  public Future<Void> close() {
    return vertx.close();
  }

  private void relay(NetSocket peer) {
    Connection c = new Connection(peer);
    peer.handler(c::fromPeer);
    if (inner == null) {
      early.add(c); // the event bus is still starting: its prefixes are checked meanwhile
    } else {
      connect(c);
    }
  }

  private void connect(Connection c) {
    NetSocket peer = c.peer;
    client
        .connect(inner)
        .onSuccess(c::connected)
        .onFailure(
            e -> {
              LOG.warn("event-bus relay: cannot reach {}: {}", inner, e.getMessage());
              peer.close();
            });
  }

  /** One peer connection and its loopback twin. */
  private final class Connection {
    private static final int PENDING_BYTES = 64 * 1024;
    private final NetSocket peer;
    private NetSocket bus; // null while connecting
    private Buffer pending = Buffer.buffer(); // checked bytes that came before the connection
    private boolean closed;
    private int prefix; // the length prefix read so far, big-endian
    private int prefixBytes;
    private long remaining; // bytes of the current frame still to come; 0 = reading a prefix

    Connection(NetSocket peer) {
      this.peer = peer;
      peer.closeHandler(
          v -> {
            closed = true;
            early.remove(this);
            if (bus != null) {
              bus.close();
            }
          });
    }

    void connected(NetSocket b) {
      if (closed) {
        b.close();
        return;
      }
      bus = b;
      bus.closeHandler(v -> peer.close());
      bus.pipeTo(peer); // the event bus only ever writes pongs back
      forward(pending);
      pending = null;
      peer.resume();
    }

    private void fromPeer(Buffer chunk) {
      String bad = scan(chunk);
      if (bad != null) {
        refused.increment();
        LOG.warn("event-bus connection from {} closed: {}", peer.remoteAddress(), bad);
        onRefused.accept(bad);
        peer.close();
        return;
      }
      if (bus == null) {
        pending.appendBuffer(chunk);
        if (pending.length() > PENDING_BYTES) {
          peer.pause(); // resumed once connected
        }
      } else {
        forward(chunk);
      }
    }

    private void forward(Buffer chunk) {
      bus.write(chunk);
      if (bus.writeQueueFull()) {
        peer.pause();
        bus.drainHandler(v -> peer.resume());
      }
    }

    /** Advances the framing over {@code chunk}; the refusal, or null if every prefix is fine. */
    private String scan(Buffer chunk) {
      int i = 0;
      while (i < chunk.length()) {
        if (remaining > 0) {
          int take = (int) Math.min(remaining, chunk.length() - i);
          remaining -= take;
          i += take;
          continue;
        }
        prefix = prefix << 8 | chunk.getByte(i++) & 0xff;
        if (++prefixBytes == Integer.BYTES) {
          long size = Integer.toUnsignedLong(prefix);
          prefix = 0;
          prefixBytes = 0;
          if (size == 0 || size > maxFrameBytes) {
            return "frame of "
                + size
                + " bytes exceeds the limit of "
                + maxFrameBytes
                + " (--max-frame-bytes)";
          }
          remaining = size;
        }
      }
      return null;
    }
  }
}

package org.relreason.coordinator;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay that adds latency: every chunk read from one side is written to the other a fixed
 * delay after it arrived, in both directions, in order. Chunks are queued, not held one at a time,
 * so the delay does not cap throughput (like a long link, unlike a slow one). Plain blocking
 * sockets, two daemon threads per direction of each connection.
 */
final class DelayProxy implements AutoCloseable {
  private static final byte[] END = new byte[0];

  /** A chunk and when it may leave. */
  private record Chunk(long dueNanos, byte[] bytes) {}

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final long delayNanos;
  private final AtomicLong relayed = new AtomicLong();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  private DelayProxy(ServerSocket server, InetSocketAddress target, long delayMillis) {
    this.server = server;
    this.target = target;
    this.delayNanos = TimeUnit.MILLISECONDS.toNanos(delayMillis);
  }

  /**
   * Listens on a free port of {@code bind}, relaying to {@code target} {@code delayMillis} late.
   */
  static DelayProxy start(InetAddress bind, InetSocketAddress target, long delayMillis)
      throws IOException {
    DelayProxy proxy = new DelayProxy(new ServerSocket(0, 50, bind), target, delayMillis);
    daemon("delay-proxy-accept-" + proxy.port(), proxy::accept);
    return proxy;
  }

  int port() {
    return server.getLocalPort();
  }

  /** Bytes relayed so far, both directions. */
  long relayedBytes() {
    return relayed.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket peer;
      try {
        peer = server.accept();
      } catch (IOException e) {
        return; // closed
      }
      Socket out = new Socket();
      sockets.addAll(List.of(peer, out));
      try {
        out.connect(target, 10_000);
        peer.setTcpNoDelay(true);
        out.setTcpNoDelay(true);
        relay(peer, out);
        relay(out, peer);
      } catch (IOException e) {
        System.err.println("delay proxy: cannot reach " + target + ": " + e);
        closeQuietly(peer);
        closeQuietly(out);
      }
    }
  }

  /** Starts the reader and the delayed writer of one direction. */
  private void relay(Socket from, Socket to) {
    BlockingQueue<Chunk> queue = new LinkedBlockingQueue<>();
    daemon("delay-proxy-read", () -> read(from, queue));
    daemon("delay-proxy-write", () -> write(queue, to, from));
  }

  private void read(Socket from, BlockingQueue<Chunk> queue) {
    byte[] buffer = new byte[64 * 1024];
    try {
      InputStream in = from.getInputStream(); // not closed here: that would close both directions
      for (int n; (n = in.read(buffer)) >= 0; ) {
        queue.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buffer, n)));
      }
    } catch (IOException e) {
      // closed: the end is passed on below
    }
    queue.add(new Chunk(System.nanoTime() + delayNanos, END));
  }

  private void write(BlockingQueue<Chunk> queue, Socket to, Socket from) {
    try {
      OutputStream out = to.getOutputStream();
      for (Chunk c = queue.take(); c.bytes() != END; c = queue.take()) {
        TimeUnit.NANOSECONDS.sleep(c.dueNanos() - System.nanoTime());
        out.write(c.bytes());
        relayed.addAndGet(c.bytes().length);
      }
      to.shutdownOutput();
    } catch (IOException | InterruptedException e) {
      closeQuietly(to);
      closeQuietly(from);
    }
  }

  private static void daemon(String name, Runnable body) {
    Thread t = new Thread(body, name);
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // already closed
    }
    sockets.forEach(DelayProxy::closeQuietly);
  }
}

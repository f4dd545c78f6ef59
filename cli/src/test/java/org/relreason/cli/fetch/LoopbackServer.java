package org.relreason.cli.fetch;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A file server on 127.0.0.1 (the JDK's {@code com.sun.net.httpserver}) with HTTP Range support and
 * the faults a download meets: a connection cut after some bytes, a file served shorter than it is,
 * no Range support, 404 for what it does not have.
 */
final class LoopbackServer implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  /** Per file: cut the next response's connection after this many body bytes. */
  private final Map<String, Integer> cutAfter = new ConcurrentHashMap<>();

  /** The Range header of each request, "" for none. */
  final List<String> ranges = new CopyOnWriteArrayList<>();

  volatile boolean rangeSupport = true;

  LoopbackServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/", this::handle);
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/");
  }

  void put(String name, byte[] bytes) {
    files.put(name, bytes);
  }

  void cutNextAfter(String name, int bytes) {
    cutAfter.put(name, bytes);
  }

  private void handle(HttpExchange ex) throws IOException {
    String name = ex.getRequestURI().getPath().substring("/files/".length());
    String range = ex.getRequestHeaders().getFirst("Range");
    ranges.add(range == null ? "" : range);
    byte[] body = files.get(name);
    if (body == null) {
      ex.sendResponseHeaders(404, -1);
      ex.close();
      return;
    }
    int from = 0;
    int status = 200;
    if (range != null && rangeSupport) {
      from = Integer.parseInt(range.substring("bytes=".length(), range.indexOf('-')));
      if (from >= body.length) {
        ex.getResponseHeaders().add("Content-Range", "bytes */" + body.length);
        ex.sendResponseHeaders(416, -1);
        ex.close();
        return;
      }
      status = 206;
      ex.getResponseHeaders()
          .add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
    }
    int length = body.length - from;
    Integer cut = cutAfter.remove(name);
    ex.sendResponseHeaders(status, length);
    OutputStream out = ex.getResponseBody();
    if (cut != null) {
      // the promised length is not sent: the client sees the connection end early
      out.write(body, from, Math.min(cut, length));
      out.flush();
      ex.close();
      return;
    }
    out.write(body, from, length);
    out.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}

package org.relreason.cli.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Downloads one {@link RemoteFile} into a directory: into {@code NAME.part} first, resumed with an
 * HTTP Range request when an earlier attempt left a partial file, then checked (size and digest)
 * and moved to {@code NAME}. A digest mismatch deletes the partial file; an interrupted transfer
 * keeps it, so running the same command again resumes. A file already in place with the right
 * digest is not downloaded again.
 */
public final class Downloader {
  private static final int BUFFER = 1 << 16;

  private final HttpClient http;
  private final Duration timeout;

  public Downloader(Duration timeout) {
    this.timeout = timeout;
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(timeout)
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();
  }

  /** The checked file in {@code dir}. */
  public Path fetch(RemoteFile file, Path dir, Progress progress) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve(file.name());
    if (Files.isRegularFile(target) && Files.size(target) == file.size() && matches(target, file)) {
      return target;
    }
    Path part = dir.resolve(file.name() + ".part");
    long have = Files.isRegularFile(part) ? Files.size(part) : 0;
    if (have > file.size()) {
      Files.delete(part);
      have = 0;
    }
    if (have < file.size()) {
      download(file, part, have, progress);
    }
    long got = Files.size(part);
    if (got != file.size()) {
      throw new FetchException(
          file.url()
              + ": received "
              + got
              + " of "
              + file.size()
              + " bytes (the server sent less than the file's size); "
              + part
              + " is kept, run the same command again to resume");
    }
    String digest = digest(part, file.algorithm());
    if (!digest.equals(file.checksum())) {
      Files.delete(part);
      throw new FetchException(
          file.url()
              + ": "
              + file.algorithm()
              + " mismatch: expected "
              + file.checksum()
              + ", got "
              + digest
              + "; the partial file was removed");
    }
    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return target;
  }

  private void download(RemoteFile file, Path part, long have, Progress progress)
      throws IOException {
    HttpRequest.Builder req = HttpRequest.newBuilder(file.url()).timeout(timeout).GET();
    if (have > 0) {
      req.header("Range", "bytes=" + have + "-");
    }
    HttpResponse<InputStream> res;
    try {
      res = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new FetchException(file.url() + ": interrupted", e);
    } catch (IOException e) {
      throw new FetchException(file.url() + ": cannot connect: " + e, e);
    }
    int status = res.statusCode();
    boolean append;
    if (status == 206 && have > 0) {
      String range = res.headers().firstValue("Content-Range").orElse("");
      if (!range.startsWith("bytes " + have + "-")) {
        res.body().close();
        throw new FetchException(
            file.url() + ": asked for bytes from " + have + ", the server sent '" + range + "'");
      }
      append = true;
    } else if (status == 200) {
      append = false; // no Range support, or a fresh download: start from byte 0
    } else if (status == 416) {
      res.body().close();
      // nothing past what we have: the size check after this says whether that is the whole file
      return;
    } else {
      res.body().close();
      throw new FetchException(
          file.url() + ": HTTP " + status + (status == 404 ? " (not found)" : ""));
    }
    long start = append ? have : 0;
    progress.start(file.name(), file.size(), start);
    long written = start;
    try (InputStream in = res.body();
        OutputStream out =
            Files.newOutputStream(
                part,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) >= 0; ) {
        out.write(buf, 0, n);
        written += n;
        progress.advance(n);
      }
    } catch (IOException e) {
      throw new FetchException(
          file.url()
              + ": download interrupted after "
              + written
              + " of "
              + file.size()
              + " bytes ("
              + e.getMessage()
              + "); "
              + part
              + " is kept, run the same command again to resume",
          e);
    } finally {
      progress.end();
    }
  }

  private static boolean matches(Path file, RemoteFile remote) throws IOException {
    return digest(file, remote.algorithm()).equals(remote.checksum());
  }

  /** The hex digest of a file. */
  static String digest(Path file, String algorithm) throws IOException {
    MessageDigest md;
    try {
      md = MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is missing from this JVM", e);
    }
    try (InputStream in = Files.newInputStream(file)) {
      byte[] buf = new byte[BUFFER];
      for (int n; (n = in.read(buf)) >= 0; ) {
        md.update(buf, 0, n);
      }
    }
    return HexFormat.of().formatHex(md.digest());
  }
}

package org.relreason.cli.fetch;

import java.net.URI;
import java.util.Locale;
import java.util.Objects;

/**
 * One file of a dataset as its publisher serves it.
 *
 * @param url where the publisher serves it
 * @param size its size in bytes
 * @param algorithm the digest the checksum is in ({@code SHA-256}, or {@code MD5} where that is the
 *     only one published)
 * @param checksum the digest, lower-case hex
 * @param unpack what to do with it once checked
 */
public record RemoteFile(URI url, long size, String algorithm, String checksum, Unpack unpack) {
  /** What becomes of a checked file. */
  public enum Unpack {
    /** Read as it is (the IDX readers take the .gz files). */
    NONE,
    /** A .tar.gz, unpacked into the dataset directory. */
    TAR_GZ,
    /** A .zip, unpacked into the dataset directory. */
    ZIP
  }

  public RemoteFile {
    Objects.requireNonNull(url, "url");
    Objects.requireNonNull(unpack, "unpack");
    if (size <= 0) {
      throw new IllegalArgumentException(url + ": size must be positive, got " + size);
    }
    int hex =
        switch (algorithm) {
          case "SHA-256" -> 64;
          case "MD5" -> 32;
          default -> throw new IllegalArgumentException(url + ": unknown digest " + algorithm);
        };
    checksum = checksum.toLowerCase(Locale.ROOT);
    if (!checksum.matches("[0-9a-f]{" + hex + "}")) {
      throw new IllegalArgumentException(
          url + ": " + algorithm + " must be " + hex + " hex digits");
    }
  }

  /** The file's name: the last segment of its URL. */
  public String name() {
    String path = url.getPath();
    return path.substring(path.lastIndexOf('/') + 1);
  }

  /** The same file served from {@code base} (a mirror, or a test server) under the same name. */
  public RemoteFile at(URI base) {
    String b = base.toString();
    return new RemoteFile(
        URI.create(b.endsWith("/") ? b + name() : b + "/" + name()),
        size,
        algorithm,
        checksum,
        unpack);
  }
}

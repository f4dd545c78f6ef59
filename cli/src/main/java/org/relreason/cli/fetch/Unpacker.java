package org.relreason.cli.fetch;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Unpacks a checked archive into the dataset directory: .tar.gz with Apache Commons Compress, .zip
 * with the JDK. An entry whose path would leave the directory is refused.
 */
public final class Unpacker {
  private Unpacker() {}

  /** Unpacks {@code archive} (of the given kind) into {@code dir}; returns the entries written. */
  public static int unpack(Path archive, RemoteFile.Unpack kind, Path dir) throws IOException {
    return switch (kind) {
      case NONE -> 0;
      case TAR_GZ -> tarGz(archive, dir);
      case ZIP -> zip(archive, dir);
    };
  }

  private static int tarGz(Path archive, Path dir) throws IOException {
    int n = 0;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive), 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(raw))) {
      for (TarArchiveEntry e; (e = tar.getNextTarEntry()) != null; ) {
        Path out = inside(dir, e.getName(), archive);
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else if (e.isFile()) {
          Files.createDirectories(out.getParent());
          Files.copy(tar, out, StandardCopyOption.REPLACE_EXISTING);
          n++;
        }
        // links and devices: datasets have none, and they are not followed
      }
    } catch (IOException e) {
      if (e instanceof FetchException) {
        throw e;
      }
      throw new FetchException(archive + ": cannot unpack: " + e.getMessage(), e);
    }
    return n;
  }

  private static int zip(Path archive, Path dir) throws IOException {
    int n = 0;
    try (ZipInputStream zip =
        new ZipInputStream(new BufferedInputStream(Files.newInputStream(archive), 1 << 16))) {
      for (ZipEntry e; (e = zip.getNextEntry()) != null; ) {
        Path out = inside(dir, e.getName(), archive);
        if (e.isDirectory()) {
          Files.createDirectories(out);
        } else {
          Files.createDirectories(out.getParent());
          Files.copy(zip, out, StandardCopyOption.REPLACE_EXISTING);
          n++;
        }
      }
    } catch (IOException e) {
      if (e instanceof FetchException) {
        throw e;
      }
      throw new FetchException(archive + ": cannot unpack: " + e.getMessage(), e);
    }
    return n;
  }

  private static Path inside(Path dir, String name, Path archive) throws FetchException {
    Path base = dir.toAbsolutePath().normalize();
    Path out = base.resolve(name).normalize();
    if (!out.startsWith(base)) {
      throw new FetchException(archive + ": entry '" + name + "' would be written outside " + dir);
    }
    return out;
  }
}

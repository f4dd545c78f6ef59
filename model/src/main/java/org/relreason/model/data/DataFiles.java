package org.relreason.model.data;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** File checks shared by the readers, so every failure is reported the same way. */
final class DataFiles {

  /**
   * The largest byte[] the JVM will allocate; HotSpot reserves a few header words, hence the 8 (the
   * same margin the JDK's own collections use).
   */
  static final long MAX_ARRAY_BYTES = Integer.MAX_VALUE - 8L;

  private DataFiles() {}

  /** Returns {@code file} if it is a regular file, else fails naming what should be there. */
  static Path require(Path file, String whatShouldBeThere) throws DatasetFormatException {
    if (!Files.isRegularFile(file)) {
      throw new DatasetFormatException(
          file, -1, whatShouldBeThere, Files.isDirectory(file) ? "a directory" : "no such file");
    }
    return file;
  }

  /** Like {@link #require} for a directory. */
  static Path requireDir(Path dir, String whatShouldBeThere) throws DatasetFormatException {
    if (!Files.isDirectory(dir)) {
      throw new DatasetFormatException(
          dir, -1, whatShouldBeThere, Files.exists(dir) ? "a file" : "no such directory");
    }
    return dir;
  }

  /**
   * Number of fixed-size records in a file, failing at the start of a partial trailing record.
   *
   * @param what the record's description, e.g. "3073-byte CIFAR-10 records"
   */
  static int recordCount(Path file, int recordBytes, String what) throws IOException {
    long size = Files.size(file);
    if (size % recordBytes != 0) {
      long partial = size - size % recordBytes;
      throw new DatasetFormatException(
          file,
          partial,
          "a whole number of " + what,
          size
              + " bytes: "
              + size / recordBytes
              + " records and "
              + size % recordBytes
              + " bytes of a partial one");
    }
    return checkedCount(file, size / recordBytes);
  }

  /** Fails if {@code count} does not fit an int (no real dataset file comes close). */
  static int checkedCount(Path file, long count) throws DatasetFormatException {
    if (count > Integer.MAX_VALUE) {
      throw new DatasetFormatException(file, -1, "at most 2^31-1 records", count + " records");
    }
    return (int) count;
  }

  /** The total size, header included, that a file's header declares (validated). */
  @FunctionalInterface
  interface DeclaredSize {
    /**
     * @param header the file's first bytes (decompressed)
     * @throws DatasetFormatException if the header's sizes are invalid or overflow
     */
    long of(byte[] header) throws DatasetFormatException;
  }

  /**
   * Whole file, gunzipped first if it starts with the gzip magic bytes 1f 8b. A gzip stream is
   * inflated only as far as its header says the file is long (one byte more, to notice a longer
   * one): a small file that inflates to gigabytes (a "gzip bomb") is refused having inflated no
   * more than the format allows, instead of filling the heap. A header shorter than {@code
   * headerBytes} is returned as it is, for the caller's header check to report.
   *
   * @param size the total decompressed size the header declares
   */
  static byte[] readMaybeGzipped(Path file, int headerBytes, DeclaredSize size) throws IOException {
    long onDisk = Files.size(file);
    if (onDisk > MAX_ARRAY_BYTES) {
      throw new DatasetFormatException(
          file, -1, "at most " + MAX_ARRAY_BYTES + " bytes", onDisk + " bytes");
    }
    byte[] raw = Files.readAllBytes(file);
    if (!isGzip(raw)) {
      return raw;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
      byte[] header = in.readNBytes(headerBytes);
      if (header.length < headerBytes) {
        return header;
      }
      long total = size.of(header);
      if (total > MAX_ARRAY_BYTES) {
        throw new DatasetFormatException(
            file,
            0,
            "a header declaring at most " + MAX_ARRAY_BYTES + " bytes",
            "one declaring " + total + " bytes");
      }
      byte[] rest = in.readNBytes((int) Math.min(total - headerBytes + 1, MAX_ARRAY_BYTES));
      if (headerBytes + (long) rest.length > total) {
        throw new DatasetFormatException(
            file,
            total,
            "the end of the data after " + total + " decompressed bytes (as its header says)",
            "more: a gzip stream that inflates beyond its declared size, inflating stopped");
      }
      byte[] all = new byte[headerBytes + rest.length];
      System.arraycopy(header, 0, all, 0, headerBytes);
      System.arraycopy(rest, 0, all, headerBytes, rest.length);
      return all;
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      // A truncated download fails here ("Unexpected end of ZLIB input stream").
      throw new DatasetFormatException(
          file, -1, "a complete gzip stream", e.getClass().getSimpleName() + ": " + e.getMessage());
    }
  }

  static boolean isGzip(byte[] bytes) {
    return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
  }

  /** Big-endian int at {@code offset}. */
  static int bigEndianInt(byte[] b, int offset) {
    return (b[offset] & 0xff) << 24
        | (b[offset + 1] & 0xff) << 16
        | (b[offset + 2] & 0xff) << 8
        | (b[offset + 3] & 0xff);
  }
}

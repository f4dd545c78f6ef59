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

  /** Whole file, gunzipped first if it starts with the gzip magic bytes 1f 8b. */
  static byte[] readMaybeGzipped(Path file) throws IOException {
    byte[] raw = Files.readAllBytes(file);
    if (!isGzip(raw)) {
      return raw;
    }
    try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(raw), 1 << 16)) {
      return in.readAllBytes();
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

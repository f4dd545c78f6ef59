package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * The idx format of MNIST and Fashion-MNIST, gzipped or not (gzip is recognised by its magic bytes
 * 1f 8b, not by the file name). All header fields are big-endian ints:
 *
 * <pre>
 * images: 0x00000803, n, rows, cols, then n*rows*cols pixel bytes (row-major, 0 = background)
 * labels: 0x00000801, n, then n label bytes
 * </pre>
 *
 * <p>For a gzipped file, the byte offsets in error messages count decompressed bytes.
 */
public final class IdxReader {

  /** Magic of an unsigned-byte tensor with 3 dimensions. */
  public static final int IMAGES_MAGIC = 0x00000803;

  /** Magic of an unsigned-byte tensor with 1 dimension. */
  public static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /**
   * Images of an idx3 file, as a single-channel set named {@code name}.
   *
   * @param labels the labels, or null for an unlabeled set; their count must match the images'
   * @param numClasses number of classes when labeled
   */
  public static ImageSet readImages(Path file, String name, int[] labels, int numClasses)
      throws IOException {
    byte[] b =
        DataFiles.readMaybeGzipped(
            file,
            16,
            h -> {
              checkHeader(file, h, IMAGES_MAGIC, 16, "3 dims: unsigned-byte images");
              return 16 + imageBytes(file, h);
            });
    checkHeader(file, b, IMAGES_MAGIC, 16, "3 dims: unsigned-byte images");
    int n = DataFiles.bigEndianInt(b, 4);
    int rows = DataFiles.bigEndianInt(b, 8);
    int cols = DataFiles.bigEndianInt(b, 12);
    checkLength(file, b, 16, imageBytes(file, b), n + "*" + rows + "*" + cols + " pixel bytes");
    if (labels != null && labels.length != n) {
      throw new DatasetFormatException(
          file, 4, n + " images, one per label of the labels file", labels.length + " labels");
    }
    byte[] pixels = new byte[b.length - 16];
    System.arraycopy(b, 16, pixels, 0, pixels.length);
    return new ImageSet(name, n, 1, rows, cols, pixels, labels, labels == null ? 0 : numClasses);
  }

  /** Labels of an idx1 file, each checked to be below {@code numClasses}. */
  public static int[] readLabels(Path file, int numClasses) throws IOException {
    byte[] b =
        DataFiles.readMaybeGzipped(
            file,
            8,
            h -> {
              checkHeader(file, h, LABELS_MAGIC, 8, "1 dim: unsigned-byte labels");
              return 8L + Math.max(0, DataFiles.bigEndianInt(h, 4));
            });
    checkHeader(file, b, LABELS_MAGIC, 8, "1 dim: unsigned-byte labels");
    int n = DataFiles.bigEndianInt(b, 4);
    if (n < 0) {
      throw new DatasetFormatException(file, 4, "a label count n >= 0", "n=" + n);
    }
    checkLength(file, b, 8, n, n + " label bytes");
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = b[8 + i] & 0xff;
      if (labels[i] >= numClasses) {
        throw new DatasetFormatException(
            file, 8 + i, "a label in 0.." + (numClasses - 1), String.valueOf(labels[i]));
      }
    }
    return labels;
  }

  /**
   * The pixel bytes {@code n*rows*cols} an images header declares, checked: positive dims whose
   * product fits a Java array (ints multiplied as ints would wrap around to a plausible size).
   */
  private static long imageBytes(Path file, byte[] header) throws DatasetFormatException {
    int n = DataFiles.bigEndianInt(header, 4);
    int rows = DataFiles.bigEndianInt(header, 8);
    int cols = DataFiles.bigEndianInt(header, 12);
    String dims = "n=" + n + " rows=" + rows + " cols=" + cols;
    if (n < 0 || rows < 1 || cols < 1) {
      throw new DatasetFormatException(file, 4, "n >= 0, rows >= 1, cols >= 1", dims);
    }
    long pixels = (long) n * rows; // below 2^62: cannot overflow
    if (pixels > DataFiles.MAX_ARRAY_BYTES || pixels * cols > DataFiles.MAX_ARRAY_BYTES) {
      throw new DatasetFormatException(
          file,
          4,
          "n*rows*cols of at most " + DataFiles.MAX_ARRAY_BYTES + " pixel bytes",
          dims + ", whose product overflows that");
    }
    return pixels * cols;
  }

  private static void checkHeader(Path file, byte[] b, int magic, int headerBytes, String what)
      throws DatasetFormatException {
    if (b.length < headerBytes) {
      throw new DatasetFormatException(
          file, 0, "an idx header of " + headerBytes + " bytes", b.length + " bytes in all");
    }
    int found = DataFiles.bigEndianInt(b, 0);
    if (found != magic) {
      throw new DatasetFormatException(
          file,
          0,
          String.format("idx magic 0x%08x (%s)", magic, what),
          String.format("0x%08x", found));
    }
  }

  private static void checkLength(Path file, byte[] b, int header, long expected, String what)
      throws DatasetFormatException {
    long found = b.length - header;
    if (found != expected) {
      throw new DatasetFormatException(
          file,
          header,
          what + " = " + expected + " bytes after the " + header + "-byte header (as its dims say)",
          found + " bytes");
    }
  }
}

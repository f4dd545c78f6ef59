package org.relreason.model.data;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * STL-10 in its official binary version ({@code stl10_binary.tar.gz} from
 * https://cs.stanford.edu/~acoates/stl10/), unpacked under a data directory:
 *
 * <pre>
 * DIR/stl10_binary/train_X.bin, train_y.bin       TRAIN (5000)
 * DIR/stl10_binary/test_X.bin, test_y.bin         TEST (8000)
 * DIR/stl10_binary/unlabeled_X.bin                UNLABELED (100000, no labels)
 * </pre>
 *
 * <p>An image is 3x96x96 bytes, channel by channel, but each channel is stored column-major (the
 * files were written from MATLAB): pixel (y, x) is at {@code x * 96 + y}. The reader transposes to
 * {@link ImageSet}'s row-major layout. Label bytes are 1..10 and are stored as 0..9.
 *
 * <p>The unlabelled split is 100000 x 27648 bytes = 2.76 GB, more than a Java array can hold, so it
 * can only be read with a limit ({@link #read(Split, int)}); images are streamed from the file in
 * blocks, never holding more than the result plus one block.
 */
public final class Stl10Reader implements DatasetReader {

  /** Subdirectory the archive unpacks to. */
  public static final String SUBDIR = "stl10_binary";

  /** Side of the square images. */
  public static final int SIDE = 96;

  /** Number of classes. */
  public static final int NUM_CLASSES = 10;

  static final int IMAGE_BYTES = 3 * SIDE * SIDE;

  /** Images per read from the file: ~1.7 MB, big enough for bulk I/O. */
  private static final int BLOCK_IMAGES = 64;

  private final Path dataDir;

  /**
   * @param dataDir the directory that contains {@value #SUBDIR}
   */
  public Stl10Reader(Path dataDir) {
    this.dataDir = dataDir;
  }

  @Override
  public ImageSet read(Split split) throws IOException {
    return read(split, Integer.MAX_VALUE);
  }

  @Override
  public ImageSet read(Split split, int limit) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0: " + limit);
    }
    String prefix = split.label();
    Path xFile = file(prefix + "_X.bin");
    int available = DataFiles.recordCount(xFile, IMAGE_BYTES, IMAGE_BYTES + "-byte STL-10 images");
    int n = Math.min(available, limit);
    if ((long) n * IMAGE_BYTES > DataFiles.MAX_ARRAY_BYTES) {
      throw new DatasetFormatException(
          xFile,
          -1,
          "at most "
              + DataFiles.MAX_ARRAY_BYTES / IMAGE_BYTES
              + " images to fit one Java array; pass a limit to read only the first images",
          available + " images (" + (long) available * IMAGE_BYTES + " bytes)");
    }
    int[] labels =
        split == Split.UNLABELED ? null : readLabels(file(prefix + "_y.bin"), xFile, available, n);
    byte[] pixels = readImages(xFile, n);
    return new ImageSet(
        "stl10/" + prefix + (n < available ? "[:" + n + "]" : ""),
        n,
        3,
        SIDE,
        SIDE,
        pixels,
        labels,
        labels == null ? 0 : NUM_CLASSES);
  }

  private Path file(String name) throws DatasetFormatException {
    return DataFiles.require(
        dataDir.resolve(SUBDIR).resolve(name),
        "the STL-10 binary file "
            + name
            + " (unpack stl10_binary.tar.gz from https://cs.stanford.edu/~acoates/stl10/ into "
            + dataDir
            + ")");
  }

  /** The first {@code n} labels, after checking there is exactly one per image in the X file. */
  private static int[] readLabels(Path yFile, Path xFile, int images, int n) throws IOException {
    byte[] y = Files.readAllBytes(yFile);
    if (y.length != images) {
      throw new DatasetFormatException(
          yFile,
          -1,
          images + " label bytes, one per image of " + xFile.getFileName(),
          y.length + " bytes");
    }
    int[] labels = new int[n];
    // Every label is checked, not only the kept ones: a bad byte means a damaged file.
    for (int i = 0; i < images; i++) {
      int v = y[i] & 0xff;
      if (v < 1 || v > NUM_CLASSES) {
        throw new DatasetFormatException(
            yFile, i, "an STL-10 label byte in 1.." + NUM_CLASSES, String.valueOf(v));
      }
      if (i < n) {
        labels[i] = v - 1;
      }
    }
    return labels;
  }

  /** The first {@code n} images, transposed from column-major to row-major per channel. */
  private static byte[] readImages(Path xFile, int n) throws IOException {
    byte[] pixels = new byte[n * IMAGE_BYTES];
    ByteBuffer block = ByteBuffer.allocate(BLOCK_IMAGES * IMAGE_BYTES);
    byte[] src = block.array();
    try (FileChannel ch = FileChannel.open(xFile, StandardOpenOption.READ)) {
      for (int first = 0; first < n; first += BLOCK_IMAGES) {
        int count = Math.min(BLOCK_IMAGES, n - first);
        block.clear().limit(count * IMAGE_BYTES);
        while (block.hasRemaining()) {
          if (ch.read(block) < 0) {
            // Only if the file shrank after its size was checked.
            throw new EOFException(xFile + " ended early at byte " + ch.position());
          }
        }
        for (int k = 0; k < count; k++) {
          transpose(src, k * IMAGE_BYTES, pixels, (first + k) * IMAGE_BYTES);
        }
      }
    }
    return pixels;
  }

  /** One 3x96x96 image: column-major planes at {@code from} to row-major planes at {@code to}. */
  static void transpose(byte[] src, int from, byte[] dst, int to) {
    for (int c = 0; c < 3; c++) {
      int plane = c * SIDE * SIDE;
      for (int x = 0; x < SIDE; x++) {
        int col = from + plane + x * SIDE;
        for (int y = 0; y < SIDE; y++) {
          dst[to + plane + y * SIDE + x] = src[col + y];
        }
      }
    }
  }
}

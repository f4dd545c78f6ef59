package org.relreason.model.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a {@code [rows, cols]} float32 matrix as a NumPy {@code .npy} file, format version 1.0
 * (NEP 1, {@code numpy.lib.format}): the magic {@code \x93NUMPY}, the version bytes 1 and 0, the
 * header length as a little-endian uint16, then an ASCII header {@code {'descr': '<f4',
 * 'fortran_order': False, 'shape': (rows, cols), }} padded with spaces and ended by a newline so
 * that the data starts at a multiple of 64 bytes, then the values row by row, little-endian.
 *
 * <p>Written by hand: the format is these few bytes, and rows are streamed as they are computed (a
 * whole data set's features need not fit in memory twice). The file appears under its name only
 * once every row is written ({@link #close()} renames a temporary file).
 */
public final class NpyWriter implements AutoCloseable {
  /** The data starts at a multiple of this (numpy.lib.format's ARRAY_ALIGN). */
  static final int ALIGN = 64;

  private final Path file;
  private final Path tmp;
  private final OutputStream out;
  private final long rows;
  private final int cols;
  private long written;

  /** Opens {@code file} for {@code rows} rows of {@code cols} values and writes the header. */
  public NpyWriter(Path file, long rows, int cols) throws IOException {
    if (rows < 0 || cols < 1) {
      throw new IllegalArgumentException("shape (" + rows + ", " + cols + ") is not a matrix");
    }
    this.file = file;
    this.rows = rows;
    this.cols = cols;
    Path abs = file.toAbsolutePath();
    this.tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    this.out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16);
    out.write(header(rows, cols));
  }

  /** The magic, version and padded header of a {@code (rows, cols)} little-endian float32 array. */
  static byte[] header(long rows, int cols) {
    String dict =
        "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
    int preamble = 6 + 2 + 2; // magic, version, header length
    int unpadded = preamble + dict.length() + 1; // + the final newline
    int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
    String header = dict + " ".repeat(total - unpadded) + "\n";
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII));
    b.put((byte) 1).put((byte) 0);
    b.putShort((short) header.length());
    b.put(header.getBytes(StandardCharsets.US_ASCII));
    return b.array();
  }

  /** Appends whole rows ({@code values.length} a multiple of the column count). */
  public void write(float[] values) throws IOException {
    if (values.length % cols != 0) {
      throw new IllegalArgumentException(values.length + " values are not whole rows of " + cols);
    }
    long n = values.length / cols;
    if (written + n > rows) {
      throw new IllegalStateException("more than the " + rows + " rows declared");
    }
    ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(values);
    out.write(b.array());
    written += n;
  }

  /** Closes the file; it appears under its name only when all the declared rows were written. */
  @Override
  public void close() throws IOException {
    out.close();
    if (written != rows) {
      Files.deleteIfExists(tmp);
      throw new IllegalStateException(
          written + " of " + rows + " rows written; " + file + " not made");
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }
}

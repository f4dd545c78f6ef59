package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real files built to hurt the readers: each is refused with a {@link DatasetFormatException}
 * naming the file, before the reader allocates what the file pretends to hold.
 */
class HostileFilesTest {

  /**
   * A 3 MB gzip file whose idx header declares one 28x28 image and which inflates to 3 GiB (three
   * concatenated members of 1 GiB of zeros): refused after inflating one byte beyond the 800 the
   * header allows; it used to be inflated whole (beyond any Java array: OutOfMemoryError).
   */
  @Test
  void gzipBombIsRefusedAfterInflatingOnlyWhatTheHeaderDeclares(@TempDir Path dir)
      throws IOException {
    ByteArrayOutputStream gig = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(gig, 1 << 16)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < 1024; i++) {
        gz.write(zeros);
      }
    }
    ByteArrayOutputStream first = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(first)) {
      gz.write(FormatWriters.idxImages(IdxReader.IMAGES_MAGIC, 1, 28, 28, (i, ch, y, x) -> 7));
    }
    Path bomb = dir.resolve("train-images-idx3-ubyte.gz");
    try (OutputStream out = Files.newOutputStream(bomb)) {
      first.writeTo(out);
      for (int i = 0; i < 3; i++) {
        gig.writeTo(out);
      }
    }
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> IdxReader.readImages(bomb, "bomb", null, 0))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(bomb.toString())
        .hasMessageContaining("inflates beyond its declared size");
    assertThat((System.nanoTime() - t0) / 1e9).as("seconds to refuse").isLessThan(5);
  }

  /**
   * Dims 2^22 x 2^21 x 2^21 multiply to 2^64, which wraps to 0 in a long: with no pixel bytes the
   * length check used to pass and a set of 4M images of 2M x 2M pixels was built over nothing.
   */
  @Test
  void idxDimsWhoseProductOverflowsAreRefusedNamingTheFile(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("train-images-idx3-ubyte");
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.writeInt(IdxReader.IMAGES_MAGIC);
    out.writeInt(1 << 22);
    out.writeInt(1 << 21);
    out.writeInt(1 << 21);
    Files.write(f, b.toByteArray());
    assertThatThrownBy(() -> IdxReader.readImages(f, "overflow", null, 0))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("overflows");
  }

  /**
   * A 100-byte PNG whose header declares 20000 x 20000 pixels: the JDK's reader would allocate a
   * 1.2 GB raster for it before finding the data missing (at 100000 x 100000 it refuses by itself,
   * its int arithmetic overflowing); refused from its header, before decoding.
   */
  @Test
  void hugePngIsRefusedFromItsHeaderBeforeDecoding(@TempDir Path dir) throws IOException {
    Path f = dir.resolve("huge.png");
    Files.write(f, png(20_000, 20_000));
    assertThatThrownBy(() -> ImageFiles.decode(f))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(f.toString())
        .hasMessageContaining("20000x20000")
        .hasMessageContaining("refused before decoding");
  }

  /** A well-formed 8-bit RGB PNG header with one row of image data. */
  private static byte[] png(int width, int height) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(b);
    out.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    ByteArrayOutputStream ihdr = new ByteArrayOutputStream();
    DataOutputStream h = new DataOutputStream(ihdr);
    h.writeInt(width);
    h.writeInt(height);
    h.write(new byte[] {8, 2, 0, 0, 0});
    chunk(out, "IHDR", ihdr.toByteArray());
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (OutputStream z = new DeflaterOutputStream(idat, new Deflater(9))) {
      z.write(new byte[1 + 3 * 16]); // a scrap of one row
    }
    chunk(out, "IDAT", idat.toByteArray());
    chunk(out, "IEND", new byte[0]);
    return b.toByteArray();
  }

  private static void chunk(DataOutputStream out, String type, byte[] data) throws IOException {
    out.writeInt(data.length);
    byte[] t = type.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    out.write(t);
    out.write(data);
    CRC32 crc = new CRC32();
    crc.update(t);
    crc.update(data);
    out.writeInt((int) crc.getValue());
  }
}

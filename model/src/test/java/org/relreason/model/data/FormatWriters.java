package org.relreason.model.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;

/**
 * Writes the official on-disk formats byte by byte, from a pixel function, so the tests can check
 * where every pixel lands.
 */
final class FormatWriters {

  /** The value of pixel (y, x) of channel c of image i, in every synthetic file. */
  interface PixelFn {
    int at(int i, int c, int y, int x);
  }

  /** A pattern in which (nearly) every position has a different value from its neighbours. */
  static final PixelFn PATTERN = (i, c, y, x) -> (i * 37 + c * 101 + y * 7 + x * 3) & 0xff;

  private FormatWriters() {}

  /** CIFAR records: the label bytes, then R, G, B planes row-major. */
  static void cifar(Path file, int first, int[][] labelBytes, PixelFn px) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int k = 0; k < labelBytes.length; k++) {
      for (int b : labelBytes[k]) {
        out.write(b);
      }
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            out.write(px.at(first + k, c, y, x));
          }
        }
      }
    }
    write(file, out.toByteArray());
  }

  /** STL-10 images: per channel, column-major (pixel (y, x) at x * 96 + y). */
  static void stlImages(Path file, int n, PixelFn px) throws IOException {
    byte[] b = new byte[n * 3 * 96 * 96];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        for (int x = 0; x < 96; x++) {
          for (int y = 0; y < 96; y++) {
            b[((i * 3 + c) * 96 + x) * 96 + y] = (byte) px.at(i, c, y, x);
          }
        }
      }
    }
    write(file, b);
  }

  /** An idx3 image file with the given header values and n*rows*cols pattern bytes. */
  static byte[] idxImages(int magic, int n, int rows, int cols, PixelFn px) {
    ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols); // big-endian by default, like idx
    b.putInt(magic).putInt(n).putInt(rows).putInt(cols);
    for (int i = 0; i < n; i++) {
      for (int y = 0; y < rows; y++) {
        for (int x = 0; x < cols; x++) {
          b.put((byte) px.at(i, 0, y, x));
        }
      }
    }
    return b.array();
  }

  /** An idx1 label file. */
  static byte[] idxLabels(int magic, int[] labels) {
    ByteBuffer b = ByteBuffer.allocate(8 + labels.length);
    b.putInt(magic).putInt(labels.length);
    for (int l : labels) {
      b.put((byte) l);
    }
    return b.array();
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** An RGB image file (format "png" or "jpeg") filled from the pixel function for image i. */
  static void rgbImage(Path file, String format, int i, int h, int w, PixelFn px)
      throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, px.at(i, 0, y, x) << 16 | px.at(i, 1, y, x) << 8 | px.at(i, 2, y, x));
      }
    }
    writeImage(file, format, img);
  }

  /** A single-channel image file. */
  static void grayImage(Path file, String format, int h, int w, PixelFn px) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.getRaster().setSample(x, y, 0, px.at(0, 0, y, x));
      }
    }
    writeImage(file, format, img);
  }

  private static void writeImage(Path file, String format, BufferedImage img) throws IOException {
    Files.createDirectories(file.getParent());
    if (!ImageIO.write(img, format, file.toFile())) {
      throw new IOException("no ImageIO writer for " + format);
    }
  }

  static void write(Path file, byte[] bytes) throws IOException {
    Files.createDirectories(file.getParent());
    Files.write(file, bytes);
  }

  /** Index of (i, c, y, x) in an {@link ImageSet}'s pixels. */
  static int index(ImageSet s, int i, int c, int y, int x) {
    return ((i * s.channels() + c) * s.height() + y) * s.width() + x;
  }

  /** Unsigned pixel of an {@link ImageSet}. */
  static int pixel(ImageSet s, int i, int c, int y, int x) {
    return s.pixels()[index(s, i, c, y, x)] & 0xff;
  }
}

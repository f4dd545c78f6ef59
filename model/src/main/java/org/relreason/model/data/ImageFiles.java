package org.relreason.model.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;

/** Decoding PNG/JPEG files into planar RGB bytes, for the folder-based readers. */
final class ImageFiles {
  /**
   * Largest image decoded: 64 megapixels (a 256 MB ARGB raster while decoding), far above any
   * dataset image (Tiny ImageNet's are 64x64, STL-10's 96x96) and below what fills a heap.
   */
  static final long MAX_PIXELS = 64L << 20;

  /** A decoded image: 3 planes of {@code height * width} bytes. */
  record Rgb(int height, int width, byte[] planes) {}

  private ImageFiles() {}

  /** Whether the file name ends in .png, .jpg or .jpeg, in any case (tiny-ImageNet uses .JPEG). */
  static boolean isImage(Path file) {
    String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return n.endsWith(".png") || n.endsWith(".jpg") || n.endsWith(".jpeg");
  }

  /** The image files directly in {@code dir}, sorted by name so the order is reproducible. */
  static List<Path> listImages(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p) && isImage(p)).sorted().toList();
    }
  }

  /**
   * Decodes every file into one pixel array, in list order, on the common pool (JPEG decoding is
   * the slow part of reading tiny-ImageNet). Each image must be {@code height x width}, unless
   * {@code resize} is set, in which case other sizes are resized bilinearly.
   *
   * @param sizeSource what the expected size comes from, for the error message
   */
  static byte[] decodeAll(
      List<Path> files, int height, int width, boolean resize, String sizeSource)
      throws IOException {
    int per = 3 * height * width;
    byte[] pixels = new byte[Math.multiplyExact(files.size(), per)];
    try {
      IntStream.range(0, files.size())
          .parallel()
          .forEach(
              i -> {
                try {
                  Rgb img = decode(files.get(i));
                  if (img.height() != height || img.width() != width) {
                    if (!resize) {
                      throw new DatasetFormatException(
                          files.get(i),
                          -1,
                          "an image of " + width + "x" + height + " (" + sizeSource + ")",
                          img.width() + "x" + img.height());
                    }
                    img = resizeBilinear(img, height, width);
                  }
                  System.arraycopy(img.planes(), 0, pixels, i * per, per);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
    return pixels;
  }

  /** Reads one PNG/JPEG; a grayscale image is copied to three channels, alpha is dropped. */
  static Rgb decode(Path file) throws IOException {
    BufferedImage img;
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      Iterator<ImageReader> readers = in == null ? null : ImageIO.getImageReaders(in);
      if (readers == null || !readers.hasNext()) {
        throw new DatasetFormatException(
            file, -1, "a PNG or JPEG image", "content no ImageIO reader recognises");
      }
      ImageReader reader = readers.next();
      try {
        reader.setInput(in, true, true);
        // the header's size, before a pixel is decoded: a small file may declare a huge image
        long w = reader.getWidth(0);
        long h = reader.getHeight(0);
        if (w * h > MAX_PIXELS) {
          throw new DatasetFormatException(
              file,
              -1,
              "an image of at most " + MAX_PIXELS + " pixels",
              w + "x" + h + " = " + w * h + " pixels (refused before decoding)");
        }
        img = reader.read(0);
      } finally {
        reader.dispose();
      }
    } catch (DatasetFormatException e) {
      throw e;
    } catch (IOException e) {
      throw new DatasetFormatException(file, -1, "a decodable PNG or JPEG", e.getMessage());
    }
    int h = img.getHeight();
    int w = img.getWidth();
    byte[] planes = new byte[3 * h * w];
    if (img.getColorModel() instanceof ComponentColorModel cm
        && (cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY
            || cm.getColorSpace().isCS_sRGB())) {
      copyBands(img.getRaster(), cm.getColorSpace().getType() == ColorSpace.TYPE_GRAY, planes);
    } else {
      copyArgb(img, planes);
    }
    return new Rgb(h, w, planes);
  }

  /**
   * Reads the samples directly rather than through getRGB: for a gray image getRGB would run a
   * colour-space conversion that changes the values.
   */
  private static void copyBands(Raster r, boolean gray, byte[] planes) {
    int h = r.getHeight();
    int w = r.getWidth();
    int[] samples = new int[h * w];
    for (int c = 0; c < 3; c++) {
      int band = gray ? 0 : c;
      r.getSamples(0, 0, w, h, band, samples);
      long max = (1L << r.getSampleModel().getSampleSize(band)) - 1;
      for (int k = 0; k < samples.length; k++) {
        planes[c * h * w + k] = (byte) ((samples[k] * 255L + max / 2) / max);
      }
    }
  }

  /** Any other colour model (palette PNGs and the like) goes through sRGB. */
  private static void copyArgb(BufferedImage img, byte[] planes) {
    int h = img.getHeight();
    int w = img.getWidth();
    int[] argb = img.getRGB(0, 0, w, h, null, 0, w);
    for (int k = 0; k < argb.length; k++) {
      planes[k] = (byte) (argb[k] >> 16);
      planes[h * w + k] = (byte) (argb[k] >> 8);
      planes[2 * h * w + k] = (byte) argb[k];
    }
  }

  /**
   * Bilinear resize with pixel centres aligned (source coordinate {@code (x + 0.5) * scale - 0.5},
   * clamped at the edges), the convention of PIL and of PyTorch's {@code align_corners=False}.
   */
  static Rgb resizeBilinear(Rgb img, int height, int width) {
    int sh = img.height();
    int sw = img.width();
    byte[] src = img.planes();
    byte[] dst = new byte[3 * height * width];
    for (int y = 0; y < height; y++) {
      double sy = clamp((y + 0.5) * sh / height - 0.5, sh - 1);
      int y0 = (int) sy;
      int y1 = Math.min(y0 + 1, sh - 1);
      double fy = sy - y0;
      for (int x = 0; x < width; x++) {
        double sx = clamp((x + 0.5) * sw / width - 0.5, sw - 1);
        int x0 = (int) sx;
        int x1 = Math.min(x0 + 1, sw - 1);
        double fx = sx - x0;
        for (int c = 0; c < 3; c++) {
          int p = c * sh * sw;
          double top =
              (src[p + y0 * sw + x0] & 0xff) * (1 - fx) + (src[p + y0 * sw + x1] & 0xff) * fx;
          double bot =
              (src[p + y1 * sw + x0] & 0xff) * (1 - fx) + (src[p + y1 * sw + x1] & 0xff) * fx;
          dst[c * height * width + y * width + x] = (byte) Math.round(top * (1 - fy) + bot * fy);
        }
      }
    }
    return new Rgb(height, width, dst);
  }

  private static double clamp(double v, int max) {
    return Math.max(0, Math.min(v, max));
  }
}

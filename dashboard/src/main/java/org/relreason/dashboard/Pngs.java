package org.relreason.dashboard;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;
import org.relreason.model.data.ImageSet;

/** One image of an {@link ImageSet} (uint8, channel-major) as a PNG, scaled up for the screen. */
final class Pngs {
  private Pngs() {}

  /**
   * @param set the images
   * @param index which one
   * @param scale integer magnification (nearest neighbour: 32×32 pixels are tiny on a screen)
   */
  static byte[] png(ImageSet set, int index, int scale) {
    int c = set.channels();
    int h = set.height();
    int w = set.width();
    int plane = h * w;
    int base = index * set.imageBytes();
    byte[] px = set.pixels();
    BufferedImage img = new BufferedImage(w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int at = base + y * w + x;
        int r = px[at] & 0xff;
        int g = c >= 3 ? px[at + plane] & 0xff : r;
        int b = c >= 3 ? px[at + 2 * plane] & 0xff : r;
        int rgb = (r << 16) | (g << 8) | b;
        for (int dy = 0; dy < scale; dy++) {
          for (int dx = 0; dx < scale; dx++) {
            img.setRGB(x * scale + dx, y * scale + dy, rgb);
          }
        }
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      ImageIO.write(img, "png", out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

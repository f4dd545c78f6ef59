package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.data.ImageSet;

class PicturesTest {
  /** n gray 1x32x32 images, image i filled with value 20 i, label i % 2. */
  private static ImageSet images(int n) {
    byte[] px = new byte[n * 32 * 32];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      java.util.Arrays.fill(px, i * 1024, (i + 1) * 1024, (byte) (20 * i));
      y[i] = i % 2;
    }
    return new ImageSet("toy", n, 1, 32, 32, px, y, 2);
  }

  @Test
  void retrievalGridDecodesWithOneRowPerQueryAndClassFrames(@TempDir Path dir) throws Exception {
    ImageSet set = images(6);
    int[][] nb = {{2, 1, 4, 3}, {3, 5, 0, 2}, {4, 2, 0, 1}};
    Path file = dir.resolve("r.png");
    Pictures.writePng(Pictures.retrievalGrid(set, new int[] {0, 1, 2}, set, nb), file);
    BufferedImage img = ImageIO.read(file.toFile());
    // cells of 32*2 + 2*3 = 70 pixels, 4 pixels apart, a 12-pixel gap after the query column
    assertThat(img.getWidth()).isEqualTo(5 * 74 + 12 + 4);
    assertThat(img.getHeight()).isEqualTo(3 * 74 + 4);
    int firstNeighbourX = 4 + 12 + 74;
    // row 0, query of class 0: neighbour 2 (class 0) framed green, neighbour 1 (class 1) red
    assertThat(img.getRGB(firstNeighbourX + 1, 4 + 1) & 0xffffff).isEqualTo(0x2ca02c);
    assertThat(img.getRGB(firstNeighbourX + 74 + 1, 4 + 1) & 0xffffff).isEqualTo(0xd62728);
    // the query cell's inside holds the query's pixels (value 0 for image 0; 20 for image 1)
    assertThat(img.getRGB(4 + 10, 4 + 10) & 0xffffff).isEqualTo(0);
    assertThat(img.getRGB(4 + 10, 4 + 74 + 10) & 0xffffff).isEqualTo(0x141414);
  }

  @Test
  void scatterDecodesAtTheRequestedSize(@TempDir Path dir) throws Exception {
    double[][] xy = {{0, 0}, {1, 1}, {2, 0.5}};
    Path file = dir.resolve("e.png");
    Pictures.writePng(
        Pictures.scatter(xy, new int[] {0, 1, 2}, java.util.List.of("a", "b", "c"), "t", "f", 300),
        file);
    BufferedImage img = ImageIO.read(file.toFile());
    assertThat(img.getWidth()).isEqualTo(300 + Pictures.LEGEND_WIDTH);
    assertThat(img.getHeight()).isEqualTo(300);
  }
}

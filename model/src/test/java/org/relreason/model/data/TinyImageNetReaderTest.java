package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.relreason.model.data.FormatWriters.pixel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A two-class tiny-ImageNet in the official layout. JPEG is lossy, so images are solid colours
 * (which JPEG keeps to within a few levels) and pixels are compared with a tolerance.
 */
class TinyImageNetReaderTest {

  @TempDir Path dir;

  private Path root;

  /** Solid colour of image {@code i}. */
  private static final int[][] COLORS = {{200, 30, 60}, {20, 180, 90}, {90, 90, 220}};

  private static final FormatWriters.PixelFn SOLID = (i, c, y, x) -> COLORS[i][c];

  @BeforeEach
  void writeDataset() throws IOException {
    root = dir.resolve(TinyImageNetReader.SUBDIR);
    FormatWriters.write(root.resolve("wnids.txt"), "n02\nn01\n".getBytes());
    // Class 0 (n02, first line) has two images, written in reverse name order.
    FormatWriters.rgbImage(root.resolve("train/n02/images/n02_1.JPEG"), "jpeg", 1, 64, 64, SOLID);
    FormatWriters.rgbImage(root.resolve("train/n02/images/n02_0.JPEG"), "jpeg", 0, 64, 64, SOLID);
    FormatWriters.grayImage(
        root.resolve("train/n01/images/n01_0.JPEG"), "jpeg", 64, 64, (i, c, y, x) -> 77);
    FormatWriters.write(root.resolve("train/n01/n01_boxes.txt"), new byte[0]);
    FormatWriters.rgbImage(root.resolve("val/images/val_10.JPEG"), "jpeg", 2, 64, 64, SOLID);
    FormatWriters.rgbImage(root.resolve("val/images/val_0.JPEG"), "jpeg", 0, 64, 64, SOLID);
    FormatWriters.rgbImage(root.resolve("val/images/val_1.JPEG"), "jpeg", 1, 64, 64, SOLID);
    FormatWriters.write(
        root.resolve("val/val_annotations.txt"),
        ("val_1.JPEG\tn02\t0\t1\t60\t61\r\n"
                + "val_10.JPEG\tn01\t3\t4\t50\t51\r\n"
                + "val_0.JPEG\tn02\t5\t6\t40\t41\r\n")
            .getBytes());
  }

  @Test
  void trainIsOrderedByWnidsLineThenFileName() throws IOException {
    ImageSet s = new TinyImageNetReader(dir).read(Split.TRAIN);
    assertThat(s.name()).isEqualTo("tiny-imagenet/train");
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.numClasses()).isEqualTo(2);
    assertThat(s.labels()).containsExactly(0, 0, 1);
    assertColor(s, 0, COLORS[0]);
    assertColor(s, 1, COLORS[1]);
    // The grayscale JPEG is copied to three equal channels.
    assertColor(s, 2, new int[] {77, 77, 77});
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        assertThat(pixel(s, 2, 1, y, x)).isEqualTo(pixel(s, 2, 0, y, x));
        assertThat(pixel(s, 2, 2, y, x)).isEqualTo(pixel(s, 2, 0, y, x));
      }
    }
  }

  @Test
  void testSplitIsTheValidationSetLabelledByItsAnnotations() throws IOException {
    ImageSet s = new TinyImageNetReader(dir).read(Split.TEST);
    assertThat(s.name()).isEqualTo("tiny-imagenet/val");
    // Sorted: val_0, val_1, val_10.
    assertThat(s.labels()).containsExactly(0, 0, 1);
    assertColor(s, 0, COLORS[0]);
    assertColor(s, 1, COLORS[1]);
    assertColor(s, 2, COLORS[2]);
  }

  @Test
  void imageOfAnotherSizeIsAnErrorNamingFileAndSize() throws IOException {
    FormatWriters.rgbImage(root.resolve("train/n01/images/n01_1.JPEG"), "jpeg", 0, 48, 40, SOLID);
    assertThatThrownBy(() -> new TinyImageNetReader(dir).read(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("n01_1.JPEG")
        .hasMessageContaining("expected an image of 64x64")
        .hasMessageContaining("found 40x48");
  }

  @Test
  void annotationWithAnUnknownWnidIsReportedAtItsLine() throws IOException {
    Files.writeString(
        root.resolve("val/val_annotations.txt"),
        "val_0.JPEG\tn02\t0\t0\t1\t1\nval_1.JPEG\tn99\t0\n");
    assertThatThrownBy(() -> new TinyImageNetReader(dir).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("val_annotations.txt at byte offset 23")
        .hasMessageContaining("a WordNet id from wnids.txt")
        .hasMessageContaining("found 'val_1.JPEG\tn99\t0'");
  }

  @Test
  void missingClassDirectoryIsAnError() throws IOException {
    Files.writeString(root.resolve("wnids.txt"), "n02\nn01\nn03\n");
    assertThatThrownBy(() -> new TinyImageNetReader(dir).read(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(root.resolve("train/n03/images").toString())
        .hasMessageContaining("expected the training images of class n03")
        .hasMessageContaining("found no such directory");
  }

  private static void assertColor(ImageSet s, int i, int[] rgb) {
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < 64; y += 7) {
        for (int x = 0; x < 64; x += 5) {
          assertThat(pixel(s, i, c, y, x)).isCloseTo(rgb[c], within(3));
        }
      }
    }
  }
}

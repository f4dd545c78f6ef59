package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relreason.model.data.FormatWriters.PATTERN;
import static org.relreason.model.data.FormatWriters.pixel;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Image folders, written as PNG so pixels survive exactly. */
class ImageFolderReaderTest {

  @TempDir Path dir;

  @Test
  void classSubdirectoriesAreSortedByNameAndGiveTheLabels() throws IOException {
    FormatWriters.rgbImage(dir.resolve("zebra/b.png"), "png", 0, 10, 12, PATTERN);
    FormatWriters.rgbImage(dir.resolve("zebra/a.PNG"), "png", 1, 10, 12, PATTERN);
    FormatWriters.rgbImage(dir.resolve("ant/x.png"), "png", 2, 10, 12, PATTERN);
    FormatWriters.write(dir.resolve("ant/notes.txt"), new byte[] {1});

    ImageSet s = Datasets.loadImageFolder(dir, null);

    assertThat(s.size()).isEqualTo(3);
    assertThat(s.numClasses()).isEqualTo(2);
    assertThat(s.labels()).containsExactly(0, 1, 1);
    assertThat(s.height()).isEqualTo(10);
    assertThat(s.width()).isEqualTo(12);
    int[] imageOf = {2, 1, 0}; // ant/x, zebra/a.PNG, zebra/b
    for (int k = 0; k < 3; k++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 10; y++) {
          for (int x = 0; x < 12; x++) {
            assertThat(pixel(s, k, c, y, x)).isEqualTo(PATTERN.at(imageOf[k], c, y, x));
          }
        }
      }
    }
  }

  @Test
  void imagesDirectlyInTheFolderAreUnlabeledAndGrayIsReplicated() throws IOException {
    FormatWriters.rgbImage(dir.resolve("1.png"), "png", 0, 8, 8, PATTERN);
    FormatWriters.grayImage(dir.resolve("2.png"), "png", 8, 8, PATTERN);
    ImageSet s = Datasets.loadImageFolder(dir, null);
    assertThat(s.labeled()).isFalse();
    assertThat(s.size()).isEqualTo(2);
    for (int c = 0; c < 3; c++) {
      assertThat(pixel(s, 1, c, 3, 5)).isEqualTo(PATTERN.at(0, 0, 3, 5));
    }
  }

  @Test
  void wrongSizeWithoutATargetIsAnErrorNamingFileAndSizes() throws IOException {
    FormatWriters.rgbImage(dir.resolve("a/1.png"), "png", 0, 8, 8, PATTERN);
    FormatWriters.rgbImage(dir.resolve("a/2.png"), "png", 0, 9, 7, PATTERN);
    assertThatThrownBy(() -> Datasets.loadImageFolder(dir, null))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("2.png")
        .hasMessageContaining("expected an image of 8x8 (the size of 1.png, the first image)")
        .hasMessageContaining("found 7x9");
  }

  @Test
  void targetSizeResizesBilinearlyWithAlignedPixelCentres() throws IOException {
    // 2x2 source: left column 0, right column 255 (all channels).
    FormatWriters.rgbImage(dir.resolve("a.png"), "png", 0, 2, 2, (i, c, y, x) -> x == 0 ? 0 : 255);
    FormatWriters.rgbImage(dir.resolve("b.png"), "png", 0, 4, 4, PATTERN);
    ImageSet s = Datasets.loadImageFolder(dir, 4);
    assertThat(s.height()).isEqualTo(4);
    // Source x = (x + 0.5) / 2 - 0.5 = -0.25 (clamped to 0), 0.25, 0.75, 1.25 (clamped to 1).
    int[] expected = {0, 64, 191, 255};
    for (int x = 0; x < 4; x++) {
      assertThat(pixel(s, 0, 1, 2, x)).isEqualTo(expected[x]);
    }
    // An image already of the target size is left as it is.
    assertThat(pixel(s, 1, 2, 3, 1)).isEqualTo(PATTERN.at(0, 2, 3, 1));
  }

  @Test
  void emptyFolderAndMixedLayoutsAreErrors() throws IOException {
    assertThatThrownBy(() -> Datasets.loadImageFolder(dir, null))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("expected at least one .png/.jpg/.jpeg image, found none");
    FormatWriters.rgbImage(dir.resolve("a/1.png"), "png", 0, 8, 8, PATTERN);
    FormatWriters.rgbImage(dir.resolve("2.png"), "png", 0, 8, 8, PATTERN);
    assertThatThrownBy(() -> Datasets.loadImageFolder(dir, null))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("expected either class subdirectories or images, not both");
  }
}

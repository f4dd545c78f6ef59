package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relreason.model.data.FormatWriters.PATTERN;
import static org.relreason.model.data.FormatWriters.pixel;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Stl10ReaderTest {

  @TempDir Path dir;

  private Path file(String name) {
    return dir.resolve(Stl10Reader.SUBDIR).resolve(name);
  }

  @Test
  void transposesColumnMajorImagesAndShiftsLabelsToZeroBased() throws IOException {
    // R of pixel (y=1, x=2) of image 1 is stored at 2*96 + 1 = 193 of that image's R plane.
    FormatWriters.PixelFn px =
        (i, c, y, x) -> i == 1 && c == 0 && y == 1 && x == 2 ? 250 : PATTERN.at(i, c, y, x);
    FormatWriters.stlImages(file("train_X.bin"), 3, px);
    assertThat(Files.readAllBytes(file("train_X.bin"))[Stl10Reader.IMAGE_BYTES + 193] & 0xff)
        .isEqualTo(250);
    FormatWriters.write(file("train_y.bin"), new byte[] {1, 10, 5});

    ImageSet s = new Stl10Reader(dir).read(Split.TRAIN);

    assertThat(s.name()).isEqualTo("stl10/train");
    assertThat(s.size()).isEqualTo(3);
    assertThat(s.height()).isEqualTo(96);
    assertThat(s.labels()).containsExactly(0, 9, 4);
    assertThat(s.numClasses()).isEqualTo(10);
    // Row-major: image 1, channel 0, y=1, x=2 is at ((1*3+0)*96+1)*96+2.
    assertThat(s.pixels()[((1 * 3 + 0) * 96 + 1) * 96 + 2] & 0xff).isEqualTo(250);
    for (int i = 0; i < 3; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 96; y += 5) {
          for (int x = 0; x < 96; x += 3) {
            assertThat(pixel(s, i, c, y, x)).isEqualTo(px.at(i, c, y, x));
          }
        }
      }
    }
  }

  @Test
  void unlabeledSplitHasNoLabelsAndALimitReadsTheFirstImages() throws IOException {
    FormatWriters.stlImages(file("unlabeled_X.bin"), 70, PATTERN); // more than one 64-image block
    ImageSet all = new Stl10Reader(dir).read(Split.UNLABELED);
    assertThat(all.name()).isEqualTo("stl10/unlabeled");
    assertThat(all.labeled()).isFalse();
    assertThat(all.size()).isEqualTo(70);
    assertThat(pixel(all, 69, 2, 95, 0)).isEqualTo(PATTERN.at(69, 2, 95, 0));

    ImageSet head = new Stl10Reader(dir).read(Split.UNLABELED, 5);
    assertThat(head.name()).isEqualTo("stl10/unlabeled[:5]");
    assertThat(head.size()).isEqualTo(5);
    assertThat(head.pixels()).isEqualTo(all.head(5).pixels());
  }

  @Test
  void fullUnlabeledSplitThatCannotFitAnArrayNeedsALimit() throws IOException {
    Path x = file("unlabeled_X.bin");
    Files.createDirectories(x.getParent());
    // The real file's size, as a sparse file: 100000 images of 27648 bytes, all zero.
    try (RandomAccessFile f = new RandomAccessFile(x.toFile(), "rw")) {
      f.setLength(100_000L * Stl10Reader.IMAGE_BYTES);
    }
    assertThatThrownBy(() -> new Stl10Reader(dir).read(Split.UNLABELED))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("unlabeled_X.bin")
        .hasMessageContaining("expected at most 77672 images to fit one Java array")
        .hasMessageContaining("pass a limit")
        .hasMessageContaining("found 100000 images (2764800000 bytes)");

    ImageSet s = Datasets.load("stl10", dir, Split.UNLABELED, 2);
    assertThat(s.size()).isEqualTo(2);
    assertThat(s.pixels()).containsOnly((byte) 0);
  }

  @Test
  void labelCountDifferentFromImageCountIsAnError() throws IOException {
    FormatWriters.stlImages(file("test_X.bin"), 3, PATTERN);
    FormatWriters.write(file("test_y.bin"), new byte[] {1, 2});
    assertThatThrownBy(() -> new Stl10Reader(dir).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test_y.bin")
        .hasMessageContaining("expected 3 label bytes, one per image of test_X.bin")
        .hasMessageContaining("found 2 bytes");
  }

  @Test
  void labelOutsideOneToTenIsReportedAtItsOffset() throws IOException {
    FormatWriters.stlImages(file("test_X.bin"), 3, PATTERN);
    FormatWriters.write(file("test_y.bin"), new byte[] {1, 2, 0});
    assertThatThrownBy(() -> new Stl10Reader(dir).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test_y.bin at byte offset 2")
        .hasMessageContaining("expected an STL-10 label byte in 1..10")
        .hasMessageContaining("found 0");
  }

  @Test
  void truncatedImageFileIsReportedWhereThePartialImageStarts() throws IOException {
    FormatWriters.write(file("test_X.bin"), new byte[2 * Stl10Reader.IMAGE_BYTES + 7]);
    assertThatThrownBy(() -> new Stl10Reader(dir).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test_X.bin at byte offset 55296")
        .hasMessageContaining("expected a whole number of 27648-byte STL-10 images")
        .hasMessageContaining("2 records and 7 bytes of a partial one");
  }

  @Test
  void missingLabelFileNamesThePath() throws IOException {
    FormatWriters.stlImages(file("train_X.bin"), 1, PATTERN);
    assertThatThrownBy(() -> new Stl10Reader(dir).read(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(file("train_y.bin").toString())
        .hasMessageContaining("expected the STL-10 binary file train_y.bin")
        .hasMessageContaining("found no such file");
  }
}

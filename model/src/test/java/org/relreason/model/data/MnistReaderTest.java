package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relreason.model.data.FormatWriters.PATTERN;
import static org.relreason.model.data.FormatWriters.gzip;
import static org.relreason.model.data.FormatWriters.idxImages;
import static org.relreason.model.data.FormatWriters.idxLabels;
import static org.relreason.model.data.FormatWriters.pixel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The idx format and the MNIST-style loading on synthetic files; real data is in another test. */
class MnistReaderTest {

  @TempDir Path dir;

  private static final int[] LABELS = {3, 0, 9, 7};

  private void writeTrain(boolean gzipped) throws IOException {
    byte[] images = idxImages(IdxReader.IMAGES_MAGIC, 4, 28, 28, PATTERN);
    byte[] labels = idxLabels(IdxReader.LABELS_MAGIC, LABELS);
    String gz = gzipped ? ".gz" : "";
    FormatWriters.write(
        dir.resolve("train-images-idx3-ubyte" + gz), gzipped ? gzip(images) : images);
    FormatWriters.write(
        dir.resolve("train-labels-idx1-ubyte" + gz), gzipped ? gzip(labels) : labels);
  }

  @Test
  void rawImagesAreTheIdxBytesRowMajor() throws IOException {
    writeTrain(false);
    ImageSet s = new MnistReader(dir, "fashion-mnist").readRaw(Split.TRAIN);
    assertThat(s.name()).isEqualTo("fashion-mnist/train/raw");
    assertThat(s.size()).isEqualTo(4);
    assertThat(s.channels()).isEqualTo(1);
    assertThat(s.height()).isEqualTo(28);
    assertThat(s.width()).isEqualTo(28);
    assertThat(s.labels()).containsExactly(LABELS);
    for (int i = 0; i < 4; i++) {
      for (int y = 0; y < 28; y++) {
        for (int x = 0; x < 28; x++) {
          assertThat(pixel(s, i, 0, y, x)).isEqualTo(PATTERN.at(i, 0, y, x));
        }
      }
    }
  }

  @Test
  void gzippedAndPlainFilesGiveTheSameImages() throws IOException {
    writeTrain(false);
    ImageSet plain = new MnistReader(dir, "mnist").readRaw(Split.TRAIN);
    writeTrain(true);
    // Gzip is recognised by its magic bytes: gzipped content under the plain name reads too.
    FormatWriters.write(
        dir.resolve("train-images-idx3-ubyte"),
        gzip(idxImages(IdxReader.IMAGES_MAGIC, 4, 28, 28, PATTERN)));
    assertThat(new MnistReader(dir, "mnist").readRaw(Split.TRAIN)).isEqualTo(plain);
  }

  @Test
  void loadedImagesArePaddedTo32AndReplicatedToThreeChannels() throws IOException {
    writeTrain(true);
    ImageSet s = new MnistReader(dir, "fashion-mnist").read(Split.TRAIN);
    assertThat(s.name()).isEqualTo("fashion-mnist/train");
    assertThat(s.channels()).isEqualTo(3);
    assertThat(s.height()).isEqualTo(32);
    assertThat(s.width()).isEqualTo(32);
    assertThat(s.labels()).containsExactly(LABELS);
    for (int i = 0; i < 4; i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            boolean border = y < 2 || y >= 30 || x < 2 || x >= 30;
            int expected = border ? 0 : PATTERN.at(i, 0, y - 2, x - 2);
            assertThat(pixel(s, i, c, y, x)).isEqualTo(expected);
          }
        }
      }
    }
  }

  @Test
  void filesAreAlsoFoundInTheDatasetNamedSubdirectory() throws IOException {
    FormatWriters.write(
        dir.resolve("mnist/t10k-images-idx3-ubyte.gz"),
        gzip(idxImages(IdxReader.IMAGES_MAGIC, 2, 28, 28, PATTERN)));
    FormatWriters.write(
        dir.resolve("mnist/t10k-labels-idx1-ubyte.gz"),
        gzip(idxLabels(IdxReader.LABELS_MAGIC, new int[] {1, 2})));
    assertThat(Datasets.load("mnist", dir, Split.TEST).labels()).containsExactly(1, 2);
  }

  @Test
  void badImageMagicIsReportedAtOffsetZero() throws IOException {
    writeTrain(false);
    FormatWriters.write(
        dir.resolve("train-images-idx3-ubyte"), idxImages(0x00000801, 4, 28, 28, PATTERN));
    assertThatThrownBy(() -> new MnistReader(dir, "mnist").readRaw(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train-images-idx3-ubyte at byte offset 0")
        .hasMessageContaining("expected idx magic 0x00000803")
        .hasMessageContaining("found 0x00000801");
  }

  @Test
  void badLabelMagicIsReportedAtOffsetZero() throws IOException {
    writeTrain(true);
    FormatWriters.write(
        dir.resolve("train-labels-idx1-ubyte.gz"), gzip(idxLabels(0x00000803, LABELS)));
    assertThatThrownBy(() -> new MnistReader(dir, "mnist").readRaw(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train-labels-idx1-ubyte.gz at byte offset 0")
        .hasMessageContaining("expected idx magic 0x00000801")
        .hasMessageContaining("found 0x00000803");
  }

  @Test
  void dimsThatDisagreeWithTheFileLengthAreAnError() throws IOException {
    writeTrain(false);
    byte[] images = idxImages(IdxReader.IMAGES_MAGIC, 4, 28, 28, PATTERN);
    FormatWriters.write(
        dir.resolve("train-images-idx3-ubyte"), Arrays.copyOf(images, images.length - 1));
    assertThatThrownBy(() -> new MnistReader(dir, "mnist").readRaw(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train-images-idx3-ubyte at byte offset 16")
        .hasMessageContaining("expected 4*28*28 pixel bytes = 3136 bytes after the 16-byte header")
        .hasMessageContaining("found 3135 bytes");
  }

  @Test
  void labelCountDifferentFromImageCountIsAnError() throws IOException {
    writeTrain(false);
    FormatWriters.write(
        dir.resolve("train-labels-idx1-ubyte"),
        idxLabels(IdxReader.LABELS_MAGIC, new int[] {1, 2, 3}));
    assertThatThrownBy(() -> new MnistReader(dir, "mnist").readRaw(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train-images-idx3-ubyte at byte offset 4")
        .hasMessageContaining("expected 4 images, one per label")
        .hasMessageContaining("found 3 labels");
  }

  @Test
  void labelAboveNineIsReportedAtItsOffset() throws IOException {
    writeTrain(false);
    FormatWriters.write(
        dir.resolve("train-labels-idx1-ubyte"),
        idxLabels(IdxReader.LABELS_MAGIC, new int[] {1, 2, 10, 3}));
    assertThatThrownBy(() -> new MnistReader(dir, "mnist").readRaw(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train-labels-idx1-ubyte at byte offset 10")
        .hasMessageContaining("expected a label in 0..9")
        .hasMessageContaining("found 10");
  }

  @Test
  void truncatedGzipIsAnError() throws IOException {
    writeTrain(true);
    Path f = dir.resolve("train-images-idx3-ubyte.gz");
    byte[] gz = Files.readAllBytes(f);
    FormatWriters.write(f, Arrays.copyOf(gz, gz.length / 2));
    assertThatThrownBy(() -> new MnistReader(dir, "mnist").readRaw(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train-images-idx3-ubyte.gz")
        .hasMessageContaining("expected a complete gzip stream");
  }

  @Test
  void missingFilesNameBothAcceptedNames() {
    assertThatThrownBy(() -> new MnistReader(dir, "fashion-mnist").read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("t10k-labels-idx1-ubyte.gz")
        .hasMessageContaining("expected t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz")
        .hasMessageContaining("apt-get install dataset-fashion-mnist")
        .hasMessageContaining("found no such file");
  }
}

package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.relreason.model.data.FormatWriters.PATTERN;
import static org.relreason.model.data.FormatWriters.pixel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Cifar100ReaderTest {

  @TempDir Path dir;

  private static final int[][] LABELS = {{19, 99}, {0, 3}, {7, 42}};

  private Path file(String name) {
    return dir.resolve(Cifar100Reader.SUBDIR).resolve(name);
  }

  @Test
  void fineLabelsAreTheSecondByteAndPixelsFollowBothLabelBytes() throws IOException {
    FormatWriters.cifar(file("train.bin"), 0, LABELS, PATTERN);
    ImageSet s = new Cifar100Reader(dir, Cifar100Reader.Labels.FINE).read(Split.TRAIN);
    assertThat(s.name()).isEqualTo("cifar100/train");
    assertThat(s.numClasses()).isEqualTo(100);
    assertThat(s.labels()).containsExactly(99, 3, 42);
    for (int i = 0; i < 3; i++) {
      assertThat(pixel(s, i, 0, 0, 0)).isEqualTo(PATTERN.at(i, 0, 0, 0));
      assertThat(pixel(s, i, 1, 1, 2)).isEqualTo(PATTERN.at(i, 1, 1, 2));
      assertThat(pixel(s, i, 2, 31, 31)).isEqualTo(PATTERN.at(i, 2, 31, 31));
    }
  }

  @Test
  void coarseLabelsAreTheFirstByte() throws IOException {
    FormatWriters.cifar(file("test.bin"), 0, LABELS, PATTERN);
    ImageSet s = new Cifar100Reader(dir, Cifar100Reader.Labels.COARSE).read(Split.TEST);
    assertThat(s.name()).isEqualTo("cifar100-20/test");
    assertThat(s.numClasses()).isEqualTo(20);
    assertThat(s.labels()).containsExactly(19, 0, 7);
  }

  @Test
  void badCoarseAndFineLabelsAreReportedAtTheirOffsets() throws IOException {
    FormatWriters.cifar(file("train.bin"), 0, new int[][] {{1, 1}, {20, 1}}, PATTERN);
    assertThatThrownBy(() -> new Cifar100Reader(dir, Cifar100Reader.Labels.FINE).read(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train.bin at byte offset 3074")
        .hasMessageContaining("expected CIFAR-100 label byte in 0..19")
        .hasMessageContaining("found 20");

    FormatWriters.cifar(file("train.bin"), 0, new int[][] {{1, 1}, {1, 100}}, PATTERN);
    assertThatThrownBy(
            () -> new Cifar100Reader(dir, Cifar100Reader.Labels.COARSE).read(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("train.bin at byte offset 3075")
        .hasMessageContaining("expected CIFAR-100 label byte in 0..99")
        .hasMessageContaining("found 100");
  }

  @Test
  void truncatedFileIsReportedWhereThePartialRecordStarts() throws IOException {
    FormatWriters.cifar(file("test.bin"), 0, LABELS, PATTERN);
    Files.write(file("test.bin"), Arrays.copyOf(Files.readAllBytes(file("test.bin")), 3074 + 10));
    assertThatThrownBy(() -> new Cifar100Reader(dir, Cifar100Reader.Labels.FINE).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test.bin at byte offset 3074")
        .hasMessageContaining("expected a whole number of 3074-byte CIFAR-100 records")
        .hasMessageContaining("found 3084 bytes");
  }

  @Test
  void missingFileNamesThePath() {
    assertThatThrownBy(() -> new Cifar100Reader(dir, Cifar100Reader.Labels.FINE).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(file("test.bin").toString())
        .hasMessageContaining("expected the CIFAR-100 binary file test.bin")
        .hasMessageContaining("found no such file");
  }
}

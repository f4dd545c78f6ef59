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

class Cifar10ReaderTest {

  @TempDir Path dir;

  /** Five batches of 2, 0, 3, 1 and 2 records: any whole number of records per file is valid. */
  private static final int[] BATCH_SIZES = {2, 0, 3, 1, 2};

  private Path batches() {
    return dir.resolve(Cifar10Reader.SUBDIR);
  }

  /** Writes the train batches; image i has label i % 10 and R of (y=1, x=2) of image 3 is 250. */
  private void writeTrain() throws IOException {
    FormatWriters.PixelFn px =
        (i, c, y, x) -> i == 3 && c == 0 && y == 1 && x == 2 ? 250 : PATTERN.at(i, c, y, x);
    int first = 0;
    for (int b = 0; b < BATCH_SIZES.length; b++) {
      int[][] labels = new int[BATCH_SIZES[b]][];
      for (int k = 0; k < labels.length; k++) {
        labels[k] = new int[] {(first + k) % 10};
      }
      FormatWriters.cifar(batches().resolve("data_batch_" + (b + 1) + ".bin"), first, labels, px);
      first += BATCH_SIZES[b];
    }
  }

  @Test
  void concatenatesTheFiveBatchesInOrderWithCountsFromFileSizes() throws IOException {
    writeTrain();
    ImageSet s = new Cifar10Reader(dir).read(Split.TRAIN);

    assertThat(s.name()).isEqualTo("cifar10/train");
    assertThat(s.size()).isEqualTo(8);
    assertThat(s.numClasses()).isEqualTo(10);
    assertThat(s.labels()).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
    // R of pixel (y=1, x=2) of image 3 (the first record of data_batch_3.bin): ((3*3+0)*32+1)*32+2.
    assertThat(s.pixels()[((3 * 3 + 0) * 32 + 1) * 32 + 2] & 0xff).isEqualTo(250);
    for (int i = 0; i < s.size(); i++) {
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < 32; y++) {
          for (int x = 0; x < 32; x++) {
            if (!(i == 3 && c == 0 && y == 1 && x == 2)) {
              assertThat(pixel(s, i, c, y, x)).isEqualTo(PATTERN.at(i, c, y, x));
            }
          }
        }
      }
    }
  }

  @Test
  void readsTheTestBatch() throws IOException {
    FormatWriters.cifar(batches().resolve("test_batch.bin"), 0, new int[][] {{9}, {4}}, PATTERN);
    ImageSet s = new Cifar10Reader(dir).read(Split.TEST);
    assertThat(s.name()).isEqualTo("cifar10/test");
    assertThat(s.labels()).containsExactly(9, 4);
    assertThat(pixel(s, 1, 2, 31, 31)).isEqualTo(PATTERN.at(1, 2, 31, 31));
  }

  @Test
  void missingBatchNamesThePathAndWhatShouldBeThere() throws IOException {
    writeTrain();
    Files.delete(batches().resolve("data_batch_4.bin"));
    assertThatThrownBy(() -> new Cifar10Reader(dir).read(Split.TRAIN))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining(batches().resolve("data_batch_4.bin").toString())
        .hasMessageContaining("expected the CIFAR-10 binary batch data_batch_4.bin")
        .hasMessageContaining("cifar-10-binary.tar.gz")
        .hasMessageContaining("found no such file")
        .satisfies(e -> assertThat(((DatasetFormatException) e).offset()).isEqualTo(-1));
  }

  @Test
  void truncatedFileIsReportedWhereThePartialRecordStarts() throws IOException {
    Path f = batches().resolve("test_batch.bin");
    FormatWriters.cifar(f, 0, new int[][] {{1}, {2}, {3}}, PATTERN);
    byte[] b = Files.readAllBytes(f);
    Files.write(f, Arrays.copyOf(b, b.length - 100));
    assertThatThrownBy(() -> new Cifar10Reader(dir).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test_batch.bin at byte offset 6146")
        .hasMessageContaining("expected a whole number of 3073-byte CIFAR-10 records")
        .hasMessageContaining("found 9119 bytes: 2 records and 2973 bytes of a partial one");
  }

  @Test
  void labelAboveNineIsReportedAtItsOffset() throws IOException {
    FormatWriters.cifar(batches().resolve("test_batch.bin"), 0, new int[][] {{1}, {10}}, PATTERN);
    assertThatThrownBy(() -> new Cifar10Reader(dir).read(Split.TEST))
        .isInstanceOf(DatasetFormatException.class)
        .hasMessageContaining("test_batch.bin at byte offset 3073")
        .hasMessageContaining("expected CIFAR-10 label byte in 0..9")
        .hasMessageContaining("found 10")
        .satisfies(e -> assertThat(((DatasetFormatException) e).offset()).isEqualTo(3073));
  }

  @Test
  void hasNoUnlabeledSplit() {
    assertThatThrownBy(() -> new Cifar10Reader(dir).read(Split.UNLABELED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cifar10 has no UNLABELED split");
  }
}

package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.relreason.model.data.FormatWriters.pixel;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real Fashion-MNIST from the Debian package {@code dataset-fashion-mnist}. It must be
 * installed: a missing directory fails the test rather than skipping it, so CI cannot pass without
 * having read the real files.
 */
class FashionMnistRealDataTest {

  private static Path dir;

  @BeforeAll
  static void locate() {
    dir =
        Path.of(
            System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist"));
    assertThat(Files.isDirectory(dir))
        .withFailMessage(
            "Fashion-MNIST not found in %s: run `apt-get install dataset-fashion-mnist` (or set"
                + " -Drelreason.fashionMnistDir)",
            dir)
        .isTrue();
  }

  /** Decodes an idx file by hand, independently of {@link IdxReader}: header ints, then bytes. */
  private record Idx(int magic, int[] dims, byte[] data) {}

  private static Idx decode(String file) throws IOException {
    try (InputStream raw = Files.newInputStream(dir.resolve(file));
        DataInputStream in = new DataInputStream(new GZIPInputStream(raw))) {
      int magic = in.readInt();
      int[] dims = new int[magic & 0xff];
      long n = 1;
      for (int k = 0; k < dims.length; k++) {
        dims[k] = in.readInt();
        n *= dims[k];
      }
      byte[] data = in.readNBytes((int) n);
      assertThat(in.read()).as("nothing after the data").isEqualTo(-1);
      return new Idx(magic, dims, data);
    }
  }

  @Test
  void trainSplitIsTheRealSixtyThousandPaddedToThreeBy32By32() throws IOException {
    check(Split.TRAIN, "train", 60000, 6000);
  }

  @Test
  void testSplitIsTheRealTenThousandPaddedToThreeBy32By32() throws IOException {
    check(Split.TEST, "t10k", 10000, 1000);
  }

  private static void check(Split split, String prefix, int n, int perClass) throws IOException {
    ImageSet s = Datasets.load("fashion-mnist", dir, split);
    Idx images = decode(prefix + "-images-idx3-ubyte.gz");
    Idx labels = decode(prefix + "-labels-idx1-ubyte.gz");
    assertThat(images.magic()).isEqualTo(0x803);
    assertThat(images.dims()).containsExactly(n, 28, 28);
    assertThat(labels.dims()).containsExactly(n);

    assertThat(s.name()).isEqualTo("fashion-mnist/" + split.label());
    assertThat(s.size()).isEqualTo(n);
    assertThat(new int[] {s.channels(), s.height(), s.width()}).containsExactly(3, 32, 32);
    assertThat(s.numClasses()).isEqualTo(10);
    int[] counts = new int[10];
    for (int i = 0; i < n; i++) {
      assertThat(s.label(i)).isEqualTo(labels.data()[i]);
      counts[s.label(i)]++;
    }
    assertThat(counts).containsOnly(perClass);

    // Plain comparisons over all 3 * 32 * 32 * n values (an assertion each would take seconds);
    // the first difference is reported.
    String firstDifference = null;
    for (int i = 0; i < n && firstDifference == null; i++) {
      for (int y = 0; y < 32; y++) {
        for (int x = 0; x < 32; x++) {
          boolean border = y < 2 || y >= 30 || x < 2 || x >= 30;
          int expected = border ? 0 : images.data()[(i * 28 + y - 2) * 28 + x - 2] & 0xff;
          for (int c = 0; c < 3; c++) {
            if (pixel(s, i, c, y, x) != expected && firstDifference == null) {
              firstDifference =
                  String.format(
                      "image %d channel %d (y=%d, x=%d): %d, decoded %d%s",
                      i, c, y, x, pixel(s, i, c, y, x), expected, border ? " (border)" : "");
            }
          }
        }
      }
    }
    assertThat(firstDifference).as("first pixel that differs from the file").isNull();
    // And a few spot values, so a silent all-zero decode would not pass.
    assertThat(images.data()).as("the file is not blank").contains((byte) 255);
    int centre = pixel(s, n - 1, 0, 16, 16);
    assertThat(centre).isEqualTo(images.data()[((n - 1) * 28 + 14) * 28 + 14] & 0xff);
  }

  @Test
  void normalizationConstantsAreTheTrainingSetStatistics() throws IOException {
    ImageSet raw = new MnistReader(dir, "fashion-mnist").readRaw(Split.TRAIN);
    double sum = 0;
    double sumSq = 0;
    for (byte b : raw.pixels()) {
      double v = (b & 0xff) / 255.0;
      sum += v;
      sumSq += v * v;
    }
    double mean = sum / raw.pixels().length;
    double std = Math.sqrt(sumSq / raw.pixels().length - mean * mean);
    assertThat(mean).isCloseTo(Normalization.FASHION_MNIST.mean()[0], within(5e-4));
    assertThat(std).isCloseTo(Normalization.FASHION_MNIST.std()[0], within(5e-4));
  }
}

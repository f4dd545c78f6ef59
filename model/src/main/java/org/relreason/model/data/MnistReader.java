package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * MNIST-format datasets (MNIST, Fashion-MNIST) in their official idx files, gzipped or not:
 *
 * <pre>
 * train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz]   TRAIN (60000)
 * t10k-images-idx3-ubyte[.gz],  t10k-labels-idx1-ubyte[.gz]    TEST (10000)
 * </pre>
 *
 * <p>The files are looked for in the data directory itself (the Debian package {@code
 * dataset-fashion-mnist} installs them in {@code /usr/share/datasets/fashion-mnist}) and then in
 * its subdirectory named after the dataset.
 *
 * <p>{@link #readRaw} returns the 28x28 grayscale images as stored. {@link #read} returns what the
 * models consume: our backbones are built for colour 32x32 input, so each image gets a 2-pixel zero
 * border (zero is the black background these images already have, so the border adds no edge) and
 * its gray channel is copied to three channels (so colour jitter is well defined and the same
 * backbones apply).
 */
public final class MnistReader implements DatasetReader {

  /** Number of classes of both datasets. */
  public static final int NUM_CLASSES = 10;

  /** Zero pixels added on each side by {@link #read}: 28 + 2 * 2 = 32. */
  public static final int BORDER = 2;

  private final Path dataDir;
  private final String datasetName;

  /**
   * @param dataDir the directory with the idx files, or its parent
   * @param datasetName "fashion-mnist" or "mnist": names the sets and the optional subdirectory
   */
  public MnistReader(Path dataDir, String datasetName) {
    this.dataDir = dataDir;
    this.datasetName = datasetName;
  }

  /** The images padded to 32x32 and replicated to 3 channels (see the class comment). */
  @Override
  public ImageSet read(Split split) throws IOException {
    return padToRgb(readRaw(split), BORDER, datasetName + "/" + split.label());
  }

  /** The images as stored: 1 channel, 28x28 (or whatever the idx header says). */
  public ImageSet readRaw(Split split) throws IOException {
    String prefix =
        switch (split) {
          case TRAIN -> "train";
          case TEST -> "t10k";
          default ->
              throw new IllegalArgumentException(datasetName + " has no " + split + " split");
        };
    int[] labels = IdxReader.readLabels(find(prefix + "-labels-idx1-ubyte"), NUM_CLASSES);
    return IdxReader.readImages(
        find(prefix + "-images-idx3-ubyte"),
        datasetName + "/" + split.label() + "/raw",
        labels,
        NUM_CLASSES);
  }

  /**
   * A single-channel set with a zero border of {@code border} pixels and its channel copied to R, G
   * and B.
   */
  public static ImageSet padToRgb(ImageSet gray, int border, String name) {
    if (gray.channels() != 1) {
      throw new IllegalArgumentException(gray.name() + " is not single-channel");
    }
    int h = gray.height() + 2 * border;
    int w = gray.width() + 2 * border;
    int in = gray.imageBytes();
    byte[] src = gray.pixels();
    byte[] dst = new byte[Math.multiplyExact(gray.size(), 3 * h * w)];
    for (int i = 0; i < gray.size(); i++) {
      for (int c = 0; c < 3; c++) {
        int plane = (i * 3 + c) * h * w;
        for (int y = 0; y < gray.height(); y++) {
          System.arraycopy(
              src, i * in + y * gray.width(), dst, plane + (y + border) * w + border, gray.width());
        }
      }
    }
    return new ImageSet(name, gray.size(), 3, h, w, dst, gray.labels(), gray.numClasses());
  }

  /** The plain or the gzipped file, in the data directory or its dataset-named subdirectory. */
  private Path find(String base) throws DatasetFormatException {
    for (Path dir : List.of(dataDir, dataDir.resolve(datasetName))) {
      for (String name : List.of(base, base + ".gz")) {
        if (Files.isRegularFile(dir.resolve(name))) {
          return dir.resolve(name);
        }
      }
    }
    return DataFiles.require(
        dataDir.resolve(base + ".gz"),
        base
            + " or "
            + base
            + ".gz of "
            + datasetName
            + " in "
            + dataDir
            + " or "
            + dataDir.resolve(datasetName)
            + ("fashion-mnist".equals(datasetName)
                ? " (apt-get install dataset-fashion-mnist puts it in"
                    + " /usr/share/datasets/fashion-mnist)"
                : ""));
  }
}

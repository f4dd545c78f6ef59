package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 in its official binary version ({@code cifar-10-binary.tar.gz} from
 * https://www.cs.toronto.edu/~kriz/cifar.html), unpacked under a data directory:
 *
 * <pre>
 * DIR/cifar-10-batches-bin/data_batch_1.bin ... data_batch_5.bin   TRAIN, in this order
 * DIR/cifar-10-batches-bin/test_batch.bin                          TEST
 * </pre>
 *
 * <p>A record is one label byte (0..9) and 3072 pixel bytes (the R, G and B planes of a 32x32
 * image, row-major). The number of records comes from each file's size, so trimmed batches work; a
 * size that is not a multiple of 3073 is reported at the start of the partial record.
 */
public final class Cifar10Reader implements DatasetReader {

  /** Subdirectory the archive unpacks to. */
  public static final String SUBDIR = "cifar-10-batches-bin";

  /** Number of classes. */
  public static final int NUM_CLASSES = 10;

  private static final int TRAIN_BATCHES = 5;

  private final Path dataDir;

  /**
   * @param dataDir the directory that contains {@value #SUBDIR}
   */
  public Cifar10Reader(Path dataDir) {
    this.dataDir = dataDir;
  }

  @Override
  public ImageSet read(Split split) throws IOException {
    List<Path> files = new ArrayList<>();
    switch (split) {
      case TRAIN -> {
        for (int b = 1; b <= TRAIN_BATCHES; b++) {
          files.add(batch("data_batch_" + b + ".bin"));
        }
      }
      case TEST -> files.add(batch("test_batch.bin"));
      default -> throw new IllegalArgumentException("cifar10 has no " + split + " split");
    }
    return CifarBinary.read(
        "cifar10/" + split.label(), files, new int[] {NUM_CLASSES}, 0, "CIFAR-10");
  }

  private Path batch(String file) throws DatasetFormatException {
    return DataFiles.require(
        dataDir.resolve(SUBDIR).resolve(file),
        "the CIFAR-10 binary batch "
            + file
            + " (unpack cifar-10-binary.tar.gz from https://www.cs.toronto.edu/~kriz/cifar.html"
            + " into "
            + dataDir
            + ")");
  }
}

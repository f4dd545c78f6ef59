package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * CIFAR-100 in its official binary version ({@code cifar-100-binary.tar.gz} from
 * https://www.cs.toronto.edu/~kriz/cifar.html), unpacked under a data directory:
 *
 * <pre>
 * DIR/cifar-100-binary/train.bin   TRAIN
 * DIR/cifar-100-binary/test.bin    TEST
 * </pre>
 *
 * <p>A record is a coarse label byte (0..19), a fine label byte (0..99) and 3072 pixel bytes laid
 * out as in CIFAR-10. Both label bytes are checked; {@link Labels} picks the one kept. The coarse
 * labels give the paper's CIFAR-100-20.
 */
public final class Cifar100Reader implements DatasetReader {

  /** Subdirectory the archive unpacks to. */
  public static final String SUBDIR = "cifar-100-binary";

  /** Which of the two label bytes becomes the label. */
  public enum Labels {
    /** The 20 superclasses (dataset "cifar100-20"). */
    COARSE("cifar100-20", 0),
    /** The 100 classes (dataset "cifar100"). */
    FINE("cifar100", 1);

    private final String datasetName;
    private final int byteIndex;

    Labels(String datasetName, int byteIndex) {
      this.datasetName = datasetName;
      this.byteIndex = byteIndex;
    }

    /** Dataset name used in {@link Datasets} and in {@link ImageSet#name()}. */
    public String datasetName() {
      return datasetName;
    }
  }

  private static final int[] LABEL_LIMITS = {20, 100};

  private final Path dataDir;
  private final Labels labels;

  /**
   * @param dataDir the directory that contains {@value #SUBDIR}
   * @param labels which label to keep
   */
  public Cifar100Reader(Path dataDir, Labels labels) {
    this.dataDir = dataDir;
    this.labels = labels;
  }

  @Override
  public ImageSet read(Split split) throws IOException {
    String file =
        switch (split) {
          case TRAIN -> "train.bin";
          case TEST -> "test.bin";
          default ->
              throw new IllegalArgumentException(
                  labels.datasetName + " has no " + split + " split");
        };
    Path path =
        DataFiles.require(
            dataDir.resolve(SUBDIR).resolve(file),
            "the CIFAR-100 binary file "
                + file
                + " (unpack cifar-100-binary.tar.gz from"
                + " https://www.cs.toronto.edu/~kriz/cifar.html into "
                + dataDir
                + ")");
    return CifarBinary.read(
        labels.datasetName + "/" + split.label(),
        List.of(path),
        LABEL_LIMITS,
        labels.byteIndex,
        "CIFAR-100");
  }
}

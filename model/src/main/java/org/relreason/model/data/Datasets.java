package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The datasets by name: which reader reads them and which normalisation the paper's code applies.
 *
 * <table>
 * <caption>Names, layouts under the data directory, normalisation</caption>
 * <tr><th>name</th><th>reader</th><th>normalisation</th></tr>
 * <tr><td>cifar10</td><td>{@link Cifar10Reader}</td><td>{@link Normalization#CIFAR10}</td></tr>
 * <tr><td>cifar100</td><td>{@link Cifar100Reader}, fine labels</td>
 *     <td>{@link Normalization#CIFAR100}</td></tr>
 * <tr><td>cifar100-20</td><td>{@link Cifar100Reader}, coarse labels</td>
 *     <td>{@link Normalization#CIFAR100}</td></tr>
 * <tr><td>stl10</td><td>{@link Stl10Reader}</td><td>{@link Normalization#STL10}</td></tr>
 * <tr><td>fashion-mnist</td><td>{@link MnistReader}, padded to 3x32x32</td>
 *     <td>{@link Normalization#FASHION_MNIST}</td></tr>
 * <tr><td>mnist</td><td>{@link MnistReader}, padded to 3x32x32</td>
 *     <td>{@link Normalization#MNIST}</td></tr>
 * <tr><td>tiny-imagenet</td><td>{@link TinyImageNetReader}</td>
 *     <td>{@link Normalization#TINY_IMAGENET}</td></tr>
 * </table>
 *
 * <p>Image folders ({@link #loadImageFolder}) use {@link Normalization#HALF}.
 */
public final class Datasets {

  private record Entry(Function<Path, DatasetReader> reader, Normalization normalization) {}

  private static final Map<String, Entry> ENTRIES = new LinkedHashMap<>();

  static {
    ENTRIES.put("cifar10", new Entry(Cifar10Reader::new, Normalization.CIFAR10));
    ENTRIES.put(
        "cifar100",
        new Entry(d -> new Cifar100Reader(d, Cifar100Reader.Labels.FINE), Normalization.CIFAR100));
    ENTRIES.put(
        "cifar100-20",
        new Entry(
            d -> new Cifar100Reader(d, Cifar100Reader.Labels.COARSE), Normalization.CIFAR100));
    ENTRIES.put("stl10", new Entry(Stl10Reader::new, Normalization.STL10));
    ENTRIES.put(
        "fashion-mnist",
        new Entry(d -> new MnistReader(d, "fashion-mnist"), Normalization.FASHION_MNIST));
    ENTRIES.put("mnist", new Entry(d -> new MnistReader(d, "mnist"), Normalization.MNIST));
    ENTRIES.put("tiny-imagenet", new Entry(TinyImageNetReader::new, Normalization.TINY_IMAGENET));
  }

  private Datasets() {}

  /** The valid dataset names, in a stable order. */
  public static List<String> names() {
    return List.copyOf(ENTRIES.keySet());
  }

  /** The reader of a named dataset under {@code dataDir}. */
  public static DatasetReader reader(String name, Path dataDir) {
    return entry(name).reader().apply(dataDir);
  }

  /**
   * Reads one split of a named dataset.
   *
   * @throws IllegalArgumentException for an unknown name or a split the dataset does not have
   * @throws DatasetFormatException if a file is missing or malformed
   */
  public static ImageSet load(String name, Path dataDir, Split split) throws IOException {
    return reader(name, dataDir).read(split);
  }

  /** Reads the first {@code limit} images of a split (needed for STL-10's unlabeled split). */
  public static ImageSet load(String name, Path dataDir, Split split, int limit)
      throws IOException {
    return reader(name, dataDir).read(split, limit);
  }

  /** The normalisation the paper's code uses for a named dataset. */
  public static Normalization normalization(String name) {
    return entry(name).normalization();
  }

  /**
   * Reads an image folder (see {@link ImageFolderReader}); normalise it with {@link
   * Normalization#HALF}.
   *
   * @param targetSize side to resize images to, or null to require one common size
   */
  public static ImageSet loadImageFolder(Path dir, Integer targetSize) throws IOException {
    return new ImageFolderReader(dir, targetSize).read();
  }

  private static Entry entry(String name) {
    Entry e = ENTRIES.get(name);
    if (e == null) {
      throw new IllegalArgumentException(
          "unknown dataset '" + name + "'; valid names: " + String.join(", ", ENTRIES.keySet()));
    }
    return e;
  }
}

package org.relreason.cli.fetch;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relreason.cli.fetch.RemoteFile.Unpack;

/**
 * The datasets {@code data fetch} knows: each one's official files with their sizes and digests.
 * The SHA-256 values are the ones TensorFlow Datasets records for the same URLs; tiny-ImageNet's
 * publisher gives only an MD5, which is what is checked for it.
 */
public final class DatasetSources {
  private DatasetSources() {}

  /**
   * A dataset to fetch.
   *
   * @param name the {@code --dataset} name
   * @param defaultDir where {@code data fetch} puts it by default (what {@code --data-dir} should
   *     then be)
   * @param files its official files
   */
  public record Source(String name, String defaultDir, List<RemoteFile> files) {}

  private static final String FASHION =
      "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  private static final Map<String, Source> ALL = new LinkedHashMap<>();

  static {
    add(
        "fashion-mnist",
        "data/fashion-mnist",
        sha(
            FASHION + "train-images-idx3-ubyte.gz",
            26_421_880,
            "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
            Unpack.NONE),
        sha(
            FASHION + "train-labels-idx1-ubyte.gz",
            29_515,
            "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
            Unpack.NONE),
        sha(
            FASHION + "t10k-images-idx3-ubyte.gz",
            4_422_102,
            "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
            Unpack.NONE),
        sha(
            FASHION + "t10k-labels-idx1-ubyte.gz",
            5_148,
            "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
            Unpack.NONE));
    add(
        "cifar10",
        "data",
        sha(
            "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz",
            170_052_171,
            "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd",
            Unpack.TAR_GZ));
    add(
        "cifar100",
        "data",
        sha(
            "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz",
            168_513_733,
            "58a81ae192c23a4be8b1804d68e518ed807d710a4eb253b1f2a199162a40d8ec",
            Unpack.TAR_GZ));
    add(
        "stl10",
        "data",
        sha(
            "http://ai.stanford.edu/~acoates/stl10/stl10_binary.tar.gz",
            2_640_397_119L,
            "f31fd99273a1acb8609c8db427cebb1de3f71de77758cdc0e22956e1289b9866",
            Unpack.TAR_GZ));
    add(
        "tiny-imagenet",
        "data",
        new RemoteFile(
            URI.create("http://cs231n.stanford.edu/tiny-imagenet-200.zip"),
            248_100_043,
            "MD5",
            "90528d7ca1a48142e341f4ef8d21d0de",
            Unpack.ZIP));
  }

  private static RemoteFile sha(String url, long size, String sha256, Unpack unpack) {
    return new RemoteFile(URI.create(url), size, "SHA-256", sha256, unpack);
  }

  private static void add(String name, String dir, RemoteFile... files) {
    ALL.put(name, new Source(name, dir, List.of(files)));
  }

  /** Every known dataset, by name. */
  public static Map<String, Source> all() {
    return java.util.Collections.unmodifiableMap(ALL);
  }

  /**
   * The source of a {@code --dataset} value ({@code cifar100-20} is CIFAR-100 with its coarse
   * labels), if it can be fetched.
   */
  public static java.util.Optional<Source> forDataset(String dataset) {
    return java.util.Optional.ofNullable(
        ALL.get(dataset.equals("cifar100-20") ? "cifar100" : dataset));
  }

  /** The dataset of a name; the error lists the known ones. */
  public static Source of(String name) {
    Source s = ALL.get(name);
    if (s == null) {
      throw new IllegalArgumentException(
          "no dataset '" + name + "' to fetch (known: " + String.join(", ", ALL.keySet()) + ")");
    }
    return s;
  }
}

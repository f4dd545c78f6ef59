package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * tiny-ImageNet ({@code tiny-imagenet-200.zip} from http://cs231n.stanford.edu/), unpacked under a
 * data directory:
 *
 * <pre>
 * DIR/tiny-imagenet-200/wnids.txt                       one WordNet id per line: class i = line i
 * DIR/tiny-imagenet-200/train/&lt;wnid&gt;/images/*.JPEG      TRAIN (500 per class)
 * DIR/tiny-imagenet-200/val/images/*.JPEG               TEST (50 per class)
 * DIR/tiny-imagenet-200/val/val_annotations.txt         file TAB wnid TAB 4 box ints
 * </pre>
 *
 * <p>TEST is the official validation set, since the official test set has no labels. Images are
 * 64x64 RGB; the few grayscale JPEGs are copied to three channels, and any other size is an error.
 * Training images are ordered by class, then by file name; validation images by file name.
 */
public final class TinyImageNetReader implements DatasetReader {

  /** Subdirectory the archive unpacks to. */
  public static final String SUBDIR = "tiny-imagenet-200";

  /** Side of the square images. */
  public static final int SIDE = 64;

  private final Path root;

  /**
   * @param dataDir the directory that contains {@value #SUBDIR}
   */
  public TinyImageNetReader(Path dataDir) {
    this.root = dataDir.resolve(SUBDIR);
  }

  @Override
  public ImageSet read(Split split) throws IOException {
    if (split == Split.UNLABELED) {
      throw new IllegalArgumentException("tiny-imagenet has no " + split + " split");
    }
    List<String> wnids = classes();
    List<Path> files = new ArrayList<>();
    List<Integer> labels = new ArrayList<>();
    if (split == Split.TRAIN) {
      listTrain(wnids, files, labels);
    } else {
      listVal(wnids, files, labels);
    }
    byte[] pixels = ImageFiles.decodeAll(files, SIDE, SIDE, false, "tiny-ImageNet's size");
    return new ImageSet(
        "tiny-imagenet/" + (split == Split.TEST ? "val" : "train"),
        files.size(),
        3,
        SIDE,
        SIDE,
        pixels,
        labels.stream().mapToInt(Integer::intValue).toArray(),
        wnids.size());
  }

  private List<String> classes() throws IOException {
    Path file = DataFiles.require(root.resolve("wnids.txt"), "tiny-ImageNet's class list");
    List<String> wnids = new ArrayList<>();
    for (TextLines.Line line : TextLines.read(file)) {
      if (!line.text().isBlank()) {
        if (wnids.contains(line.text().strip())) {
          throw new DatasetFormatException(
              file, line.offset(), "distinct WordNet ids", "a repeated " + line.text().strip());
        }
        wnids.add(line.text().strip());
      }
    }
    return wnids;
  }

  private void listTrain(List<String> wnids, List<Path> files, List<Integer> labels)
      throws IOException {
    for (int c = 0; c < wnids.size(); c++) {
      Path dir =
          DataFiles.requireDir(
              root.resolve("train").resolve(wnids.get(c)).resolve("images"),
              "the training images of class " + wnids.get(c) + " (listed in wnids.txt)");
      for (Path f : ImageFiles.listImages(dir)) {
        files.add(f);
        labels.add(c);
      }
    }
  }

  private void listVal(List<String> wnids, List<Path> files, List<Integer> labels)
      throws IOException {
    Path annotations =
        DataFiles.require(root.resolve("val/val_annotations.txt"), "the validation labels");
    Map<String, Integer> classOf = new HashMap<>();
    for (int c = 0; c < wnids.size(); c++) {
      classOf.put(wnids.get(c), c);
    }
    Map<String, Integer> labelOf = new HashMap<>();
    for (TextLines.Line line : TextLines.read(annotations)) {
      if (line.text().isBlank()) {
        continue;
      }
      String[] f = line.text().split("\t");
      Integer c = f.length >= 2 ? classOf.get(f[1].strip()) : null;
      if (c == null) {
        throw new DatasetFormatException(
            annotations,
            line.offset(),
            "file name TAB a WordNet id from wnids.txt TAB box",
            "'" + line.text() + "'");
      }
      labelOf.put(f[0].strip(), c);
    }
    Path dir = DataFiles.requireDir(root.resolve("val/images"), "the validation images");
    for (Path f : ImageFiles.listImages(dir)) {
      Integer c = labelOf.get(f.getFileName().toString());
      if (c == null) {
        throw new DatasetFormatException(annotations, -1, "a line for " + f.getFileName(), "none");
      }
      files.add(f);
      labels.add(c);
    }
  }
}

package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A folder of PNG/JPEG images, in one of two layouts:
 *
 * <pre>
 * DIR/&lt;class&gt;/*.{png,jpg,jpeg}   labeled: classes sorted by directory name, class i = i-th
 * DIR/*.{png,jpg,jpeg}           unlabeled
 * </pre>
 *
 * <p>Files are sorted by name, so the order is reproducible. Grayscale images are copied to three
 * channels. Without a target size every image must have the size of the first one; with one, images
 * of any other size are resized bilinearly to {@code targetSize x targetSize}.
 */
public final class ImageFolderReader {

  private final Path dir;
  private final Integer targetSize;

  /**
   * @param dir the folder
   * @param targetSize side to resize every image to, or null to require one common size
   */
  public ImageFolderReader(Path dir, Integer targetSize) {
    if (targetSize != null && targetSize < 1) {
      throw new IllegalArgumentException("targetSize must be positive: " + targetSize);
    }
    this.dir = dir;
    this.targetSize = targetSize;
  }

  /** Reads every image, labeled if the folder has class subdirectories. */
  public ImageSet read() throws IOException {
    DataFiles.requireDir(dir, "a folder of images or of class subdirectories");
    List<Path> classDirs = classDirectories();
    List<Path> loose = ImageFiles.listImages(dir);
    if (!classDirs.isEmpty() && !loose.isEmpty()) {
      throw new DatasetFormatException(
          dir,
          -1,
          "either class subdirectories or images, not both",
          classDirs.size() + " subdirectories and " + loose.size() + " images");
    }
    List<Path> files = new ArrayList<>(loose);
    int[] labels = null;
    if (!classDirs.isEmpty()) {
      List<Integer> lb = new ArrayList<>();
      for (int c = 0; c < classDirs.size(); c++) {
        List<Path> images = ImageFiles.listImages(classDirs.get(c));
        if (images.isEmpty()) {
          // An empty class would still take a label index and skew every later one's meaning.
          throw new DatasetFormatException(
              classDirs.get(c), -1, "at least one .png/.jpg/.jpeg image in a class folder", "none");
        }
        for (Path f : images) {
          files.add(f);
          lb.add(c);
        }
      }
      labels = lb.stream().mapToInt(Integer::intValue).toArray();
    }
    if (files.isEmpty()) {
      throw new DatasetFormatException(dir, -1, "at least one .png/.jpg/.jpeg image", "none");
    }
    return decode(files, labels, labels == null ? 0 : classDirs.size());
  }

  private ImageSet decode(List<Path> files, int[] labels, int numClasses) throws IOException {
    int h;
    int w;
    String sizeSource;
    if (targetSize != null) {
      h = targetSize;
      w = targetSize;
      sizeSource = "the target size";
    } else {
      ImageFiles.Rgb first = ImageFiles.decode(files.get(0));
      h = first.height();
      w = first.width();
      sizeSource = "the size of " + files.get(0).getFileName() + ", the first image";
    }
    byte[] pixels = ImageFiles.decodeAll(files, h, w, targetSize != null, sizeSource);
    return new ImageSet(
        "folder:" + dir.getFileName(), files.size(), 3, h, w, pixels, labels, numClasses);
  }

  /** Subdirectories, sorted by name; hidden ones (".git", ".DS_Store" folders) are skipped. */
  private List<Path> classDirectories() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(Files::isDirectory)
          .filter(p -> !p.getFileName().toString().startsWith("."))
          .sorted()
          .toList();
    }
  }
}

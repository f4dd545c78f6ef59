package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The record format CIFAR-10 and CIFAR-100 share: some label bytes, then a 32x32 RGB image as 1024
 * R, 1024 G and 1024 B bytes, each plane row-major. That is already {@link ImageSet}'s layout, so a
 * record's pixels are copied as one block.
 */
final class CifarBinary {

  static final int SIDE = 32;
  static final int IMAGE_BYTES = 3 * SIDE * SIDE;

  private CifarBinary() {}

  /**
   * Reads and concatenates whole-record files, in order.
   *
   * @param name the resulting set's name
   * @param files the files, each with any whole number of records
   * @param labelLimits number of classes for each label byte of a record (a byte must be below it)
   * @param labelUsed which of the label bytes becomes the image's label
   * @param format the record format, for messages, e.g. "CIFAR-10"
   */
  static ImageSet read(
      String name, List<Path> files, int[] labelLimits, int labelUsed, String format)
      throws IOException {
    int recordBytes = labelLimits.length + IMAGE_BYTES;
    String what = recordBytes + "-byte " + format + " records";
    long total = 0;
    for (Path f : files) {
      total += DataFiles.recordCount(f, recordBytes, what);
    }
    int n = DataFiles.checkedCount(files.get(0), total);
    byte[] pixels = new byte[Math.multiplyExact(n, IMAGE_BYTES)];
    int[] labels = new int[n];
    int i = 0;
    for (Path f : files) {
      byte[] data = Files.readAllBytes(f);
      for (int at = 0; at < data.length; at += recordBytes, i++) {
        labels[i] = checkLabels(f, data, at, labelLimits, format)[labelUsed];
        System.arraycopy(data, at + labelLimits.length, pixels, i * IMAGE_BYTES, IMAGE_BYTES);
      }
    }
    return new ImageSet(name, n, 3, SIDE, SIDE, pixels, labels, labelLimits[labelUsed]);
  }

  private static int[] checkLabels(Path f, byte[] data, int at, int[] limits, String format)
      throws DatasetFormatException {
    int[] values = new int[limits.length];
    for (int k = 0; k < limits.length; k++) {
      values[k] = data[at + k] & 0xff;
      if (values[k] >= limits[k]) {
        throw new DatasetFormatException(
            f, at + k, format + " label byte in 0.." + (limits[k] - 1), String.valueOf(values[k]));
      }
    }
    return values;
  }
}

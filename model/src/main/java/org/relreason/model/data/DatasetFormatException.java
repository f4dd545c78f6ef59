package org.relreason.model.data;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A dataset file that is missing, truncated or not in the format its reader expects. The message
 * names the file, the byte offset (when there is one), what was expected and what was found.
 */
public final class DatasetFormatException extends IOException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final long offset;

  /**
   * @param file the offending file (or directory)
   * @param offset byte offset of the problem, or -1 when it concerns the whole file
   * @param expected what the reader expected
   * @param found what it found instead
   */
  public DatasetFormatException(Path file, long offset, String expected, String found) {
    super(
        file
            + (offset >= 0 ? " at byte offset " + offset : "")
            + ": expected "
            + expected
            + ", found "
            + found);
    this.file = file;
    this.offset = offset;
  }

  /** The offending file. */
  public Path file() {
    return file;
  }

  /** Byte offset of the problem, or -1. */
  public long offset() {
    return offset;
  }
}

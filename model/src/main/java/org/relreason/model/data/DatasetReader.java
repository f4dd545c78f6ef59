package org.relreason.model.data;

import java.io.IOException;

/**
 * Reads the splits of one dataset from its official on-disk layout. Implementations are cheap to
 * construct; all I/O happens in {@link #read(Split)}.
 */
public interface DatasetReader {

  /**
   * Reads a whole split.
   *
   * @throws DatasetFormatException if a file is missing, truncated or malformed
   * @throws IllegalArgumentException if the dataset has no such split
   */
  ImageSet read(Split split) throws IOException;

  /**
   * Reads the first {@code limit} images of a split (all of them if there are fewer). The default
   * reads everything and keeps the head; readers of large files override it to read only what is
   * needed.
   */
  default ImageSet read(Split split, int limit) throws IOException {
    if (limit < 0) {
      throw new IllegalArgumentException("limit must be >= 0: " + limit);
    }
    ImageSet all = read(split);
    return limit >= all.size() ? all : all.head(limit);
  }
}

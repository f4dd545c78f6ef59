package org.relreason.cli.fetch;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Fetches every file of a dataset into a directory and unpacks the archives among them. */
public final class DataFetch {
  private final Downloader downloader;
  private final Progress progress;

  public DataFetch(Downloader downloader, Progress progress) {
    this.downloader = downloader;
    this.progress = progress;
  }

  /**
   * Fetches {@code source} into {@code dir}.
   *
   * @param mirror a base URL serving the same file names instead of the publisher, or null
   * @return the checked files
   */
  public List<Path> fetch(DatasetSources.Source source, Path dir, URI mirror) throws IOException {
    List<Path> out = new ArrayList<>();
    for (RemoteFile f : source.files()) {
      RemoteFile from = mirror == null ? f : f.at(mirror);
      Path file = downloader.fetch(from, dir, progress);
      Unpacker.unpack(file, f.unpack(), dir);
      out.add(file);
    }
    return out;
  }
}

package org.relreason.cli.fetch;

/** What a download reports as it goes (the command line draws a bar with rate and ETA). */
public interface Progress {
  /** No reports. */
  Progress NONE = new Progress() {};

  /** A download of {@code total} bytes starts, {@code already} of them on disk from before. */
  default void start(String name, long total, long already) {}

  /** {@code bytes} more arrived. */
  default void advance(long bytes) {}

  /** The download ended (done or failed). */
  default void end() {}
}

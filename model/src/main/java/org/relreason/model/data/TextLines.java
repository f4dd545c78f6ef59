package org.relreason.model.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Lines of a small text file with the byte offset each starts at, for error messages. */
final class TextLines {

  /** One line without its terminator ({@code \n} or {@code \r\n}). */
  record Line(long offset, String text) {}

  private TextLines() {}

  static List<Line> read(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    List<Line> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= b.length; i++) {
      if (i == b.length || b[i] == '\n') {
        int end = i > start && b[i - 1] == '\r' ? i - 1 : i;
        if (i < b.length || end > start) {
          lines.add(new Line(start, new String(b, start, end - start, StandardCharsets.UTF_8)));
        }
        start = i + 1;
      }
    }
    return lines;
  }
}

package org.relreason.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * How result records are written: snake_case keys, indented, and atomically (a sibling {@code .tmp}
 * file moved over the target, missing directories created) so that a reader never sees half a file.
 * One home for the training result ({@code train.TrainJob}) and the evaluation protocols' result
 * ({@code eval.EvalProtocols}), which had identical copies; it sits in the root package so that
 * {@code eval} need not depend on {@code train}.
 */
public final class ResultJson {
  private ResultJson() {}

  /** The JSON mapper of results (snake_case keys, indented). */
  public static ObjectMapper mapper() {
    return new ObjectMapper()
        .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
        .enable(SerializationFeature.INDENT_OUTPUT);
  }

  /** Writes {@code value} to {@code file} with {@link #mapper()}, atomically. */
  public static void write(Object value, Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
    mapper().writeValue(tmp.toFile(), value);
    Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}

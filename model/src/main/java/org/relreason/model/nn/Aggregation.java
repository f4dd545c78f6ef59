package org.relreason.model.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How a pair of feature vectors is joined before the relation head (the paper's {@code a(·,·)}).
 * {@code CAT} is the paper's default and doubles the head's input size.
 */
public enum Aggregation {
  CAT,
  SUM,
  MEAN,
  MAX;

  /** Input size of the relation head for features of size {@code d}. */
  public int outputSize(int d) {
    return this == CAT ? 2 * d : d;
  }

  /** The name used in configs. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses an aggregation name; the error lists the valid ones. */
  public static Aggregation parse(String name) {
    for (Aggregation a : values()) {
      if (a.id().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return a;
      }
    }
    throw new IllegalArgumentException(
        "unknown aggregation '"
            + name
            + "' (expected one of "
            + Arrays.stream(values()).map(Aggregation::id).collect(Collectors.joining(", "))
            + ")");
  }
}

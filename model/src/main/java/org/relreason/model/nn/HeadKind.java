package org.relreason.model.nn;

import java.util.Locale;

/**
 * What scores a pair of features in relational reasoning: the paper's relation head, or one of the
 * two ablations reviewers asked for.
 */
public enum HeadKind {
  /** The paper's relation head: aggregate, then Linear → BN → LeakyReLU → Linear. */
  MLP("mlp"),
  /** The dot product of the two features; no parameters, the aggregation is not used. */
  DOT("dot"),
  /** An encoder (Linear → BN → LeakyReLU → Linear) on each feature, then the dot product. */
  ENCODER_DOT("encoder-dot");

  private final String id;

  HeadKind(String id) {
    this.id = id;
  }

  /** The name used in configs. */
  public String id() {
    return id;
  }

  /** Parses a head name. */
  public static HeadKind parse(String name) {
    for (HeadKind k : values()) {
      if (k.id.equals(name.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown head '" + name + "' (expected mlp, dot or encoder-dot)");
  }
}

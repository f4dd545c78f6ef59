package org.relreason.model.nn;

import java.util.Locale;

/** Loss on the relation logits. */
public enum LossKind {
  /** Focal loss (Lin et al. 2017), the paper's choice. */
  FOCAL,
  /** Plain binary cross-entropy (the focal loss with γ = 0 and no α weighting). */
  BCE;

  /** The name used in configs. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a loss name. */
  public static LossKind parse(String name) {
    for (LossKind k : values()) {
      if (k.id().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException("unknown loss '" + name + "' (expected focal or bce)");
  }
}

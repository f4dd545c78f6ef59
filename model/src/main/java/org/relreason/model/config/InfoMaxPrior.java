package org.relreason.model.config;

import java.util.Locale;

/**
 * How Deep InfoMax's prior term {@code γ (E_prior[sp(−s)] + E_features[sp(s)])} ({@code
 * InfoMaxLoss.prior}) trains the encoder. In every mode but {@link #NONE} the prior discriminator
 * descends the term.
 */
public enum InfoMaxPrior {
  /**
   * The relational-reasoning paper's code: encoder and discriminator descend the same term with one
   * optimizer, so the encoder helps the discriminator tell its features from the prior.
   */
  JOINT,
  /**
   * DIM's adversarial game (Hjelm et al. 2019, eq. 7): a gradient reversal between the features and
   * the discriminator, so the encoder ascends the term the discriminator descends and its features
   * move towards the prior.
   */
  ADVERSARIAL,
  /** No prior term (γ = 0): the prior discriminator is neither run nor trained. */
  NONE;

  /** The name used in configs. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a mode name. */
  public static InfoMaxPrior parse(String name) {
    for (InfoMaxPrior p : values()) {
      if (p.id().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown prior mode '" + name + "' (expected joint, adversarial or none)");
  }
}

package org.relreason.model.eval;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The paper's evaluation protocols, run by {@link EvalProtocols#run}. Each names what it measures
 * and which datasets it accepts; the CLI's {@code eval --protocol} takes the {@link #id()}.
 */
public enum Protocol {
  /** Linear evaluation on the pre-training dataset (the paper's main number). */
  LINEAR("linear"),
  /** Linear evaluation on another dataset than the pre-training one (e.g. CIFAR-10 → CIFAR-100). */
  TRANSFER("transfer"),
  /** Pre-trained on CIFAR-100, linear evaluation on its 20 coarse labels ({@code cifar100-20}). */
  GRAIN("grain"),
  /** Backbone and a new linear head trained together (the paper's STL-10 experiment). */
  FINETUNE("finetune"),
  /** Linear evaluation (and fine-tuning, if asked) with 1, 10, 25, 50, 100% of the labels. */
  FRACTIONS("fractions"),
  /** Top-k precision by class of test queries against the training gallery, and a picture. */
  RETRIEVAL("retrieval"),
  /** t-SNE of the test features coloured by class, as a picture, and its 2-D kNN purity. */
  EMBEDDING("embedding");

  private final String id;

  Protocol(String id) {
    this.id = id;
  }

  /** The name on the command line and in results. */
  public String id() {
    return id;
  }

  /** The protocol called {@code id}; the error lists the valid names. */
  public static Protocol of(String id) {
    for (Protocol p : values()) {
      if (p.id.equals(id)) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "unknown protocol '"
            + id
            + "'; valid: "
            + Arrays.stream(values()).map(Protocol::id).collect(Collectors.joining(", ")));
  }
}

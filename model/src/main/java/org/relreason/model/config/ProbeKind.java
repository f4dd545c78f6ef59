package org.relreason.model.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What classifier is trained on frozen features. The study of Kolesnikov, Zhai and Beyer (CVPR
 * 2019, Section 3.3 and Appendix) found the probe matters: they fit a multinomial logistic
 * regression by L-BFGS, noted that SGD probes are sensitive to the schedule and need very long
 * training, and that an MLP probe adds little.
 */
public enum ProbeKind {
  /**
   * Multinomial logistic regression by L-BFGS, L2 chosen on a validation split of the training set.
   */
  LBFGS("lbfgs"),
  /** The paper's linear evaluation: softmax trained by Adam (Patacchiola and Storkey 2020). */
  ADAM("adam"),
  /** Softmax trained by SGD with momentum on a long step schedule. */
  SGD("sgd"),
  /** A one-hidden-layer ReLU MLP trained by Adam. */
  MLP("mlp");

  private final String id;

  ProbeKind(String id) {
    this.id = id;
  }

  /** The name used in configs, result files and on the command line. */
  public String id() {
    return id;
  }

  /** Parses a probe name; the error lists the valid ones. */
  public static ProbeKind parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (ProbeKind k : values()) {
      if (k.id.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown probe '"
            + name
            + "' (expected one of "
            + Arrays.stream(values()).map(ProbeKind::id).collect(Collectors.joining(", "))
            + ")");
  }
}

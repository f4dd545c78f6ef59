package org.relreason.model.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** How the backbone is pre-trained: the paper's method, or one of the baselines it compares to. */
public enum MethodKind {
  /** Self-supervised relational reasoning (the paper's method). */
  RELATIONAL,
  /** Supervised cross-entropy on the labels (an upper bound under linear evaluation). */
  SUPERVISED,
  /** SimCLR (Chen et al. 2020): NT-Xent between two views of each image. */
  SIMCLR,
  /** RotationNet (Gidaris et al. 2018): predict which of four rotations was applied. */
  ROTATION,
  /** DeepCluster (Caron et al. 2018): classify k-means pseudo-labels, re-clustered each epoch. */
  DEEPCLUSTER,
  /** Deep InfoMax (Hjelm et al. 2019): local mutual information and a prior. */
  INFOMAX,
  /** No pre-training: the backbone at its random initial weights. */
  RANDOM;

  /** The name used in configs. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Parses a method name. */
  public static MethodKind parse(String name) {
    for (MethodKind k : values()) {
      if (k.id().equals(name.trim().toLowerCase(Locale.ROOT))) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown method '"
            + name
            + "' (expected "
            + Arrays.stream(values()).map(MethodKind::id).collect(Collectors.joining(", "))
            + ")");
  }
}

package org.relreason.model.nn;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The backbones of the paper. */
public enum BackboneKind {
  /**
   * 4 blocks conv3x3 (no bias) - BN - ReLU - 2x2 avg-pool, channels 8-16-32-64, GAP; feature 64.
   */
  CONV4("conv4"),
  /** CIFAR ResNet with basic blocks [1,1,1], channels 16/32/64; feature 64. */
  RESNET8("resnet8"),
  /** CIFAR ResNet with basic blocks [5,5,5]. */
  RESNET32("resnet32"),
  /** CIFAR ResNet with basic blocks [9,9,9]. */
  RESNET56("resnet56"),
  /**
   * ImageNet-layout ResNet-34 (blocks [3,4,6,3], channels 64..512); feature 512. For 96x96 STL-10.
   */
  RESNET34("resnet34");

  private final String id;

  BackboneKind(String id) {
    this.id = id;
  }

  /** The name used in configs and on the command line. */
  public String id() {
    return id;
  }

  /** Parses a backbone name; the error lists the valid ones. */
  public static BackboneKind parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT).replace("-", "");
    for (BackboneKind k : values()) {
      if (k.id.equals(n)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown backbone '"
            + name
            + "' (expected one of "
            + Arrays.stream(values()).map(BackboneKind::id).collect(Collectors.joining(", "))
            + ")");
  }
}

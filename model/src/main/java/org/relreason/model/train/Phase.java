package org.relreason.model.train;

/** The parts of a training step, as the benchmark reports them. */
public enum Phase {
  /** Waiting for augmented views (zero when prefetching keeps up). */
  AUGMENT,
  BACKBONE_FORWARD,
  /** Building the pair matrix and routing its gradient back. */
  PAIRING,
  /** Relation head forward and backward. */
  HEAD,
  LOSS,
  BACKBONE_BACKWARD,
  OPTIMIZER;

  /** Name in reports. */
  public String id() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}

package org.relreason.observe;

import java.util.Locale;

/**
 * The labels of {@code relreason_message_bytes_total}: which way a message went and what it was.
 */
public final class Traffic {
  private Traffic() {}

  /** Seen from the process that counts. */
  public enum Direction {
    SENT,
    RECEIVED;

    /** The Prometheus label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** What a message carried. */
  public enum Kind {
    /** ShardTask. */
    TASK,
    /** ShardResult (gradient of a shard). */
    GRADIENTS,
    /** Features (VIEWS mode, worker to coordinator). */
    FEATURES,
    /** FeatureGradients (VIEWS mode, coordinator to worker). */
    FEATURE_GRADIENTS,
    /** ParameterSnapshot. */
    PARAMETERS,
    /** Registration, heartbeats, parameter requests, disconnects, errors. */
    CONTROL;

    /** The Prometheus label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }
}

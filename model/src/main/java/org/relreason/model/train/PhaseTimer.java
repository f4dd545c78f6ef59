package org.relreason.model.train;

import java.util.EnumMap;
import java.util.Map;

/** Accumulates wall time per {@link Phase}; not thread-safe (one per training loop). */
public final class PhaseTimer {
  private final long[] nanos = new long[Phase.values().length];
  private long start;

  /** Starts timing (call {@link #stop(Phase)} to charge the time since). */
  public void start() {
    start = System.nanoTime();
  }

  /** Charges the time since the last start/stop to {@code phase} and restarts the clock. */
  public void stop(Phase phase) {
    long now = System.nanoTime();
    nanos[phase.ordinal()] += now - start;
    start = now;
  }

  /** Seconds per phase so far. */
  public Map<Phase, Double> seconds() {
    Map<Phase, Double> m = new EnumMap<>(Phase.class);
    for (Phase p : Phase.values()) {
      m.put(p, nanos[p.ordinal()] / 1e9);
    }
    return m;
  }

  /** Clears all phases. */
  public void reset() {
    java.util.Arrays.fill(nanos, 0);
  }
}

package org.relreason.model.nn.fast;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per op name, for the op-level profile of {@link BackboneBench}. Off by default; when
 * on, every {@link NativeOp} and every small helper op of {@link FastConv4Backbone} is timed (ND4J
 * CPU ops are synchronous, so the wall time of the call is the op's time plus its JNI overhead).
 */
public final class OpTimes {
  private static volatile boolean enabled;
  private static final Map<String, long[]> TIMES = new TreeMap<>();

  private OpTimes() {}

  /** Starts (and clears) or stops the recording. */
  public static synchronized void enable(boolean on) {
    enabled = on;
    if (on) {
      TIMES.clear();
    }
  }

  static boolean enabled() {
    return enabled;
  }

  static synchronized void add(String name, long nanos) {
    long[] t = TIMES.computeIfAbsent(name, k -> new long[2]);
    t[0] += nanos;
    t[1]++;
  }

  /** One line per op, largest total first: name, total seconds, calls, share. */
  public static synchronized String report() {
    long total = TIMES.values().stream().mapToLong(t -> t[0]).sum();
    StringBuilder sb = new StringBuilder();
    TIMES.entrySet().stream()
        .sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(
            e ->
                sb.append(
                    String.format(
                        Locale.ROOT,
                        "op %-18s total_s=%.4f calls=%d share=%.1f%%%n",
                        e.getKey(),
                        e.getValue()[0] / 1e9,
                        e.getValue()[1],
                        100.0 * e.getValue()[0] / Math.max(1, total))));
    return sb.toString();
  }
}

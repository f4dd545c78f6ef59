package org.relreason.model.nn.fast;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Wall time per op name, for the op-level profile of {@link BackboneBench}. Off by default; when
 * on, every {@link NativeOp} and every small helper op of {@link FastConv4Backbone} is timed (ND4J
 * CPU ops are synchronous, so the wall time of the call is the op's time plus its JNI overhead).
 * The calling thread's CPU time is recorded too: with {@code OMP_NUM_THREADS=1} every op runs on
 * that thread, so the CPU column is a profile that other processes on the cores barely disturb.
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

  private static final java.lang.management.ThreadMXBean THREADS =
      java.lang.management.ManagementFactory.getThreadMXBean();

  static synchronized void add(String name, long nanos) {
    add(name, nanos, 0);
  }

  static synchronized void add(String name, long nanos, long cpuNanos) {
    long[] t = TIMES.computeIfAbsent(name, k -> new long[3]);
    t[0] += nanos;
    t[1]++;
    t[2] += cpuNanos;
  }

  /** CPU time of the calling thread in nanoseconds. */
  static long cpuNow() {
    return THREADS.getCurrentThreadCpuTime();
  }

  /** Runs {@code r} and records its wall and CPU time under {@code name} when enabled. */
  static void time(String name, Runnable r) {
    if (!enabled) {
      r.run();
      return;
    }
    long c0 = cpuNow();
    long t0 = System.nanoTime();
    r.run();
    long t1 = System.nanoTime();
    add(name, t1 - t0, cpuNow() - c0);
  }

  /**
   * One line per op, largest total first: name, total wall seconds, calls, share of the wall time,
   * total CPU seconds of the calling thread.
   */
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
                        "op %-18s total_s=%.4f calls=%d share=%.1f%% cpu_s=%.4f%n",
                        e.getKey(),
                        e.getValue()[0] / 1e9,
                        e.getValue()[1],
                        100.0 * e.getValue()[0] / Math.max(1, total),
                        e.getValue()[2] / 1e9)));
    return sb.toString();
  }
}

package org.relreason.model.train;

import java.util.concurrent.atomic.AtomicBoolean;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps ND4J's native memory bounded during training.
 *
 * <p>Deeplearning4j allocates fresh native arrays for activations and gradients every step; they
 * are released when their small Java wrappers are collected. The Java heap barely grows, so without
 * help the collector runs only when JavaCPP reaches its limit (by default twice the maximum heap),
 * and a long run holds gigabytes of dead tensors: a one-epoch Conv-4 run reached 13.7 GB resident
 * here and was killed by the kernel beside another JVM. ND4J's periodic collection (every {@value
 * #GC_WINDOW_MS} ms at most, triggered from op execution) keeps the garbage to a few steps' worth.
 */
public final class NativeMemory {
  /** Minimum interval between collections ND4J triggers. */
  public static final int GC_WINDOW_MS = 2000;

  private static final Logger LOG = LoggerFactory.getLogger(NativeMemory.class);
  private static final AtomicBoolean LOGGED = new AtomicBoolean();

  private NativeMemory() {}

  /**
   * Turns on ND4J's periodic collection (idempotent), in every process that trains: the single
   * process, the embedded parameter server, and the coordinator and worker JVMs. Logged once per
   * process ("ND4J periodic garbage collection on"), which the launch-script test checks.
   */
  public static void boundGarbage() {
    Nd4j.getMemoryManager().setAutoGcWindow(GC_WINDOW_MS);
    Nd4j.getMemoryManager().togglePeriodicGc(true);
    if (LOGGED.compareAndSet(false, true)) {
      LOG.info("ND4J periodic garbage collection on (every {} ms at most)", GC_WINDOW_MS);
    }
  }

  /** Resident set size of this process in MiB (Linux), or NaN. */
  public static double residentMb() {
    return procStatus("VmRSS:");
  }

  /** Peak resident set size of this process in MiB (Linux), or NaN. */
  public static double peakResidentMb() {
    return procStatus("VmHWM:");
  }

  private static double procStatus(String key) {
    try {
      for (String line :
          java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (java.io.IOException | RuntimeException e) {
      return Double.NaN;
    }
    return Double.NaN;
  }
}

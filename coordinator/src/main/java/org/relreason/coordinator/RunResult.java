package org.relreason.coordinator;

import java.util.List;

/**
 * What a distributed run produced: read by tests, the CLI and benchmarks instead of logs.
 *
 * @param losses mean loss of each step
 * @param stepMillis wall time of each step, from planning to the new parameter version
 * @param finalParams the parameters after the last step
 * @param gradients each step's aggregated gradient (empty unless recorded)
 * @param faults what was refused or recovered from
 * @param seconds wall time of the step loop
 */
public record RunResult(
    double[] losses,
    double[] stepMillis,
    float[] finalParams,
    List<float[]> gradients,
    FaultCounters faults,
    double seconds) {

  /** Steps run. */
  public int steps() {
    return losses.length;
  }

  /** Median step time in milliseconds (0 without steps). */
  public double medianStepMillis() {
    if (stepMillis.length == 0) {
      return 0;
    }
    double[] s = stepMillis.clone();
    java.util.Arrays.sort(s);
    return s[s.length / 2];
  }
}

package org.relreason.model.train;

import java.util.Map;
import java.util.TreeMap;

/**
 * Everything needed to continue a run exactly: parameters (with batch-norm statistics), optimizer
 * state, the data cursor and the configuration. There is no RNG state to save: every random choice
 * derives from the configured seed and the cursor (see {@link Seeds}).
 *
 * @param config the run's configuration as key/value texts
 * @param epoch epoch of the next step to run
 * @param stepInEpoch step within that epoch of the next step to run
 * @param globalStep steps completed so far
 * @param params the flat parameter vector
 * @param adam the optimizer state
 */
public record Checkpoint(
    Map<String, String> config,
    int epoch,
    int stepInEpoch,
    long globalStep,
    float[] params,
    Adam.State adam) {

  public Checkpoint {
    config = new TreeMap<>(config);
    if (adam.m().length != params.length || adam.v().length != params.length) {
      throw new IllegalArgumentException(
          "optimizer state of " + adam.m().length + " values for " + params.length + " parameters");
    }
  }
}

package org.relreason.coordinator;

import org.relreason.model.train.RunCursor;

/**
 * Where the run is: the run's {@link RunCursor} (the same one the single-process trainer walks:
 * global step, epoch, step in it, epoch preparation and closing) and the parameter version this
 * coordinator publishes, which moves with every applied step and with every start-of-epoch change
 * of the parameters (DeepCluster's head). Plain data on the coordinator's event loop; the step loop
 * and the epoch preparation move it, every reply's header reads it.
 */
final class Position {
  final RunCursor run;
  long version;

  Position(RunCursor run) {
    this.run = run;
  }

  long step() {
    return run.globalStep();
  }

  int epoch() {
    return run.epoch();
  }

  int stepInEpoch() {
    return run.stepInEpoch();
  }
}

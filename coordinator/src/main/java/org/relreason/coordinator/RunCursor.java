package org.relreason.coordinator;

/**
 * Where the run is: the global step, the parameter version, the epoch and the step in it. Plain
 * data on the coordinator's event loop; the step loop and the epoch preparation move it, every
 * reply's header reads it.
 */
final class RunCursor {
  long step;
  long version;
  int epoch;
  int stepInEpoch;
}

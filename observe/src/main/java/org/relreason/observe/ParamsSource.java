package org.relreason.observe;

/**
 * The current flat parameter vector of the run (backbone then head), for the retrieval panel.
 * Called off the event loop; may block briefly.
 */
@FunctionalInterface
public interface ParamsSource {
  /** None yet. */
  ParamsSource NONE = () -> null;

  /** A consistent copy of the current parameters, or null when there are none yet. */
  float[] current() throws InterruptedException;
}

package org.relreason.model.train;

/** Receives progress from a {@link Trainer}; every method has a no-op default. */
public interface TrainListener {
  /** After every step. */
  default void onStep(StepReport report) {}

  /** After the last step of an epoch (or of the run). */
  default void onEpochEnd(int epoch, StepStats epochStats) {}

  /** After a checkpoint is written. */
  default void onCheckpoint(java.nio.file.Path file) {}
}

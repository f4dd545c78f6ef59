package org.relreason.model.train;

/** Receives progress from a {@link Trainer}; every method has a no-op default. */
public interface TrainListener {
  /** After every step. */
  default void onStep(StepReport report) {}

  /** After the last step of an epoch (or of the run). */
  default void onEpochEnd(int epoch, StepStats epochStats) {}

  /** After a checkpoint is written. */
  default void onCheckpoint(java.nio.file.Path file) {}

  /**
   * After an evaluation of the backbone ({@link TrainJob}): {@code protocol} is {@code linear},
   * {@code knn}, {@code random_linear} or {@code random_knn}; {@code top1} is in [0, 1].
   */
  default void onEvaluation(String protocol, String dataset, double top1) {}

  /**
   * Once per step, after {@link #onStep}, with the current flat parameters on demand (a copy; ask
   * only when needed): what the online probe ({@code OnlineProbe}) scores.
   */
  default void afterStep(long globalStep, java.util.function.Supplier<float[]> params) {}

  /** A point of the online probe: kNN top-1 of the parameters after {@code step}. */
  default void onProbe(long step, double knnTop1) {}

  /** Both listeners, {@code a} first. */
  static TrainListener both(TrainListener a, TrainListener b) {
    return new TrainListener() {
      @Override
      public void onStep(StepReport report) {
        a.onStep(report);
        b.onStep(report);
      }

      @Override
      public void onEpochEnd(int epoch, StepStats epochStats) {
        a.onEpochEnd(epoch, epochStats);
        b.onEpochEnd(epoch, epochStats);
      }

      @Override
      public void onCheckpoint(java.nio.file.Path file) {
        a.onCheckpoint(file);
        b.onCheckpoint(file);
      }

      @Override
      public void onEvaluation(String protocol, String dataset, double top1) {
        a.onEvaluation(protocol, dataset, top1);
        b.onEvaluation(protocol, dataset, top1);
      }

      @Override
      public void afterStep(long globalStep, java.util.function.Supplier<float[]> params) {
        a.afterStep(globalStep, params);
        b.afterStep(globalStep, params);
      }

      @Override
      public void onProbe(long step, double knnTop1) {
        a.onProbe(step, knnTop1);
        b.onProbe(step, knnTop1);
      }
    };
  }
}

package org.relreason.model.benchmark;

import org.relreason.model.train.TrainListener;

/** Receives a grid's progress (console, dashboard); every method has a no-op default. */
public interface BenchmarkListener {
  /**
   * Before a cell runs (not called for cells reused from disk).
   *
   * @param index 0-based position in the grid
   * @param total cells in the grid
   * @return the listener that cell's training and evaluation report to
   */
  default TrainListener cellStarted(Cell cell, int index, int total) {
    return new TrainListener() {};
  }

  /** After a cell finished, failed, or was found finished on disk ({@code result.reused()}). */
  default void cellFinished(Cell cell, CellResult result, int index, int total) {}

  /** Both listeners, {@code a} first. */
  static BenchmarkListener both(BenchmarkListener a, BenchmarkListener b) {
    return new BenchmarkListener() {
      @Override
      public TrainListener cellStarted(Cell cell, int index, int total) {
        return TrainListener.both(
            a.cellStarted(cell, index, total), b.cellStarted(cell, index, total));
      }

      @Override
      public void cellFinished(Cell cell, CellResult result, int index, int total) {
        a.cellFinished(cell, result, index, total);
        b.cellFinished(cell, result, index, total);
      }
    };
  }
}

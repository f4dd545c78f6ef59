package org.relreason.model.benchmark;

import org.relreason.model.config.TrainConfig;
import org.relreason.model.run.TrainJob;
import org.relreason.model.run.TrainResult;
import org.relreason.model.train.TrainListener;

/**
 * Pre-trains and evaluates one cell: what the {@code train} command does for one configuration. The
 * command line supplies one that honours {@code workers} (the embedded parameter server); tests
 * supply their own to count or fail invocations.
 */
@FunctionalInterface
public interface CellRunner {
  /** Runs the cell's configuration to its result; any exception marks the cell failed. */
  TrainResult run(TrainConfig config, TrainListener listener) throws Exception;

  /** {@link TrainJob} in this process (ignores {@code workers}: the CLI passes its own). */
  CellRunner SINGLE_PROCESS = TrainJob::run;
}

package org.relreason.model.benchmark;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.run.TrainResult;

/**
 * An evaluation protocol of the grid: turns a pre-trained cell into named scores. The backbone the
 * cell trained is in the cell's checkpoint directory ({@code config.checkpointDir()}, the newest
 * checkpoint), so a protocol that needs it (transfer, fine-tuning, …) loads it from there; a {@code
 * random} cell has no checkpoint (nothing was trained): its backbone is the initial one that {@code
 * Methods.build(config, images)} returns for the cell's seed.
 */
public interface GridProtocol {
  /** The name used in the grid spec's {@code protocols}. */
  String id();

  /**
   * The scores of one cell, each a fraction in [0, 1], by metric name (e.g. {@code linear_top1});
   * metric names must be unique across protocols.
   *
   * @param config the cell's configuration
   * @param trained what pre-training and the built-in evaluation returned
   * @param cellDir the cell's directory (for files the protocol writes)
   */
  Map<String, Double> evaluate(TrainConfig config, TrainResult trained, Path cellDir)
      throws IOException;
}

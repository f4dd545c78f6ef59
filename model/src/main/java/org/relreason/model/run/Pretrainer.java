package org.relreason.model.run;

import java.io.IOException;
import java.util.function.Consumer;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.train.TrainListener;

/**
 * How pre-training is carried out: in this process ({@link #SINGLE_PROCESS}) or by the parameter
 * server (the coordinator module provides one). {@link TrainJob} evaluates whatever it returns.
 */
@FunctionalInterface
public interface Pretrainer {

  /** Pre-trains on {@code train} and returns the trained flat parameters and what happened. */
  Outcome pretrain(TrainConfig config, ImageSet train, Normalization norm, TrainListener listener)
      throws IOException;

  /**
   * @param result steps, time, throughput, per-epoch history
   * @param params the trained flat parameter vector (backbone, then head)
   */
  record Outcome(PretrainResult result, float[] params) {}

  /** The single-process {@link Trainer}. */
  Pretrainer SINGLE_PROCESS = singleProcess(trainer -> {});

  /**
   * The single-process {@link Trainer}, shown to {@code started} before its first step (a watcher
   * that reads its parameters between steps, from the listener's {@code onStep}).
   */
  static Pretrainer singleProcess(Consumer<Trainer> started) {
    return (config, train, norm, listener) -> {
      try (Trainer trainer = new Trainer(config, train, norm)) {
        started.accept(trainer);
        PretrainResult r = trainer.pretrain(listener);
        return new Outcome(r, trainer.model().paramsVector());
      }
    };
  }
}

package org.relreason.model.train;

/**
 * An optimizer over a model's flat parameter vector ({@link Adam} for the self-supervised methods,
 * {@link Sgd} for the supervised baseline). Positions of batch-norm running statistics are never
 * optimised: their "gradient" is a delta applied as {@code p -= g}.
 *
 * <p>Lifecycle: construct with the vector length and the statistics mask → {@link #step} once per
 * minibatch → {@link #state()} / {@link #restore} for checkpoints; {@link #reset} forgets the state
 * of a range whose parameters were re-initialised (DeepCluster's head, each epoch).
 */
public interface Optimizer {

  /** Applies one update to {@code params} in place. */
  void step(float[] params, float[] gradient);

  /** Steps taken so far. */
  long steps();

  /**
   * The state for a checkpoint, in Adam's record: for SGD, {@code m} is the momentum buffer and
   * {@code v} is unused (zeros).
   */
  Adam.State state();

  /** Restores a state taken from an optimizer of the same kind and length. */
  void restore(Adam.State state);

  /** Zeroes the per-parameter state of positions {@code [from, to)}. */
  void reset(int from, int to);
}

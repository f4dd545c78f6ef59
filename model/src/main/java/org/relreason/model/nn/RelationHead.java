package org.relreason.model.nn;

import org.nd4j.linalg.api.buffer.DataType;

/**
 * The relation head of the paper: Linear(in→256) → BatchNorm → LeakyReLU(0.01) → Linear(256→1),
 * returning one logit per pair row ({@link #forward} gives {@code [P, 1]}; {@link #backward} takes
 * {@code dL/dlogits [P, 1]} and returns {@code dL/dpairs [P, in]}).
 */
public final class RelationHead extends MlpHead {
  /** Hidden width of the paper's head. */
  public static final int HIDDEN = 256;

  /**
   * @param inputSize size of an aggregated pair row
   * @param seed seed of the weight initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public RelationHead(int inputSize, long seed, DataType dtype) {
    super(inputSize, HIDDEN, 1, seed, dtype);
  }

  /** As {@link #RelationHead(int, long, DataType)} with a chosen implementation. */
  public RelationHead(int inputSize, long seed, DataType dtype, Impl impl) {
    super(inputSize, HIDDEN, 1, seed, dtype, impl);
  }
}

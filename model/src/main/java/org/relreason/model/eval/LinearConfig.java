package org.relreason.model.eval;

/**
 * Settings of the linear evaluation; {@link #PAPER} holds the paper's (Patacchiola and Storkey
 * 2020, Section 4: Adam, learning rate 1e-3, mini-batch 128, 100 epochs on frozen features).
 *
 * @param epochs passes over the training features, at least 1
 * @param batchSize examples per Adam step, at least 1 (the last batch of an epoch may be smaller)
 * @param learningRate Adam step size, positive
 * @param beta1 Adam first-moment decay, in [0, 1)
 * @param beta2 Adam second-moment decay, in [0, 1)
 * @param epsilon Adam denominator guard, positive
 * @param seed seeds the weight initialisation and the per-epoch shuffles
 */
public record LinearConfig(
    int epochs,
    int batchSize,
    double learningRate,
    double beta1,
    double beta2,
    double epsilon,
    long seed) {

  /** The paper's settings, seed 0. */
  public static final LinearConfig PAPER = new LinearConfig(100, 128, 1e-3, 0.9, 0.999, 1e-8, 0L);

  public LinearConfig {
    if (epochs < 1) {
      throw new IllegalArgumentException("epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (!(learningRate > 0)) {
      throw new IllegalArgumentException("learningRate must be > 0, got " + learningRate);
    }
    if (!(beta1 >= 0 && beta1 < 1) || !(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("betas must be in [0, 1), got " + beta1 + ", " + beta2);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("epsilon must be > 0, got " + epsilon);
    }
  }

  /** These settings with another number of epochs. */
  public LinearConfig withEpochs(int newEpochs) {
    return new LinearConfig(newEpochs, batchSize, learningRate, beta1, beta2, epsilon, seed);
  }

  /** These settings with another seed. */
  public LinearConfig withSeed(long newSeed) {
    return new LinearConfig(epochs, batchSize, learningRate, beta1, beta2, epsilon, newSeed);
  }
}

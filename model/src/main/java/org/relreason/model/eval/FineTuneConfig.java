package org.relreason.model.eval;

/**
 * Settings of the fine-tuning protocol (the paper's STL-10 experiment): the pre-trained backbone
 * and a new linear head are trained together on the labelled images, batch-norm in training mode,
 * with Adam and L2 weight decay per parameter group, and the rates divided by ten at 50% and 75% of
 * the epochs (see {@link org.relreason.model.train.Adam#forFineTuning} for the decay in the paper's
 * own code).
 *
 * @param epochs passes over the training images, at least 1
 * @param batchSize images per step, at least 2 (batch-norm needs a batch)
 * @param backboneLearningRate Adam rate of the backbone's parameters, positive (paper 1e-3)
 * @param headLearningRate Adam rate of the linear head, positive (paper 1e-4)
 * @param weightDecay L2 coefficient added to the gradient of every trained parameter, {@code >= 0}
 *     (paper 1e-5)
 * @param seed seeds the head's initialisation, the per-epoch shuffles and the augmentation
 * @param augmentation what is done to each training image ({@link FineTuneAugmentation#NONE}: only
 *     the normalisation)
 */
public record FineTuneConfig(
    int epochs,
    int batchSize,
    double backboneLearningRate,
    double headLearningRate,
    double weightDecay,
    long seed,
    FineTuneAugmentation augmentation) {

  /** The paper's settings: 100 epochs of batch 128, rates 1e-3 / 1e-4, weight decay 1e-5. */
  public static final FineTuneConfig PAPER = new FineTuneConfig(100, 128, 1e-3, 1e-4, 1e-5, 0L);

  /** Settings without augmentation. */
  public FineTuneConfig(
      int epochs,
      int batchSize,
      double backboneLearningRate,
      double headLearningRate,
      double weightDecay,
      long seed) {
    this(
        epochs,
        batchSize,
        backboneLearningRate,
        headLearningRate,
        weightDecay,
        seed,
        FineTuneAugmentation.NONE);
  }

  public FineTuneConfig {
    java.util.Objects.requireNonNull(augmentation, "augmentation");
    if (epochs < 1) {
      throw new IllegalArgumentException("fine-tune epochs must be >= 1, got " + epochs);
    }
    if (batchSize < 2) {
      throw new IllegalArgumentException("fine-tune batch size must be >= 2, got " + batchSize);
    }
    if (!(backboneLearningRate > 0) || !(headLearningRate > 0)) {
      throw new IllegalArgumentException(
          "fine-tune learning rates must be > 0, got "
              + backboneLearningRate
              + " / "
              + headLearningRate);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("fine-tune weight decay must be >= 0, got " + weightDecay);
    }
  }

  /** These settings with another number of epochs. */
  public FineTuneConfig withEpochs(int n) {
    return new FineTuneConfig(
        n, batchSize, backboneLearningRate, headLearningRate, weightDecay, seed, augmentation);
  }

  /** These settings with another seed. */
  public FineTuneConfig withSeed(long s) {
    return new FineTuneConfig(
        epochs, batchSize, backboneLearningRate, headLearningRate, weightDecay, s, augmentation);
  }

  /** These settings with another augmentation. */
  public FineTuneConfig withAugmentation(FineTuneAugmentation a) {
    return new FineTuneConfig(
        epochs, batchSize, backboneLearningRate, headLearningRate, weightDecay, seed, a);
  }

  /**
   * The factor on both rates during 0-based {@code epoch}: ×0.1 from epoch {@code epochs / 2} and
   * ×0.1 again from {@code epochs * 3 / 4} (integer division, as the paper's {@code int(tot_epochs
   * * 0.5)}). A milestone that falls on epoch 0 (fewer than 2 or 4 epochs) is skipped: it would
   * only rescale the base rates.
   */
  public double rateFactor(int epoch) {
    double f = 1;
    for (int m : new int[] {epochs / 2, epochs * 3 / 4}) {
      if (m > 0 && epoch >= m) {
        f *= 0.1;
      }
    }
    return f;
  }
}

package org.relreason.model.method;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.augment.AugmentationConfig.Range;
import org.relreason.model.config.InfoMaxPrior;
import org.relreason.model.config.MethodKind;
import org.relreason.model.nn.LocalFeatureBackbone;
import org.relreason.model.train.Adam;
import org.relreason.model.train.Batch;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Seeds;
import org.relreason.model.train.StepStats;

/**
 * Deep InfoMax (Hjelm et al., ICLR 2019) as the relational-reasoning paper runs it as a baseline
 * ({@code methods/deepinfomax.py} and {@code train_unsupervised.py} of its code): local mutual
 * information plus a prior, no global term (α = 0, β = 1, γ = 0.1).
 *
 * <ul>
 *   <li>Encoder: the backbone; y is its global feature (for Conv-4 after the last ReLU and the
 *       global average pool) and M its local map number {@code localBlock} ({@link
 *       LocalFeatureBackbone}; for Conv-4 block b's ReLU output before pooling; by default b = 1, 8
 *       channels at full resolution).
 *   <li>Local term: {@link LocalDiscriminator} scores y[n] against every location of M[n] (matched)
 *       and of M[n + 1] (mismatched, the minibatch rolled by one image); the Jensen–Shannon
 *       estimator of {@link InfoMaxLoss#local}, weight β.
 *   <li>Prior term: {@link PriorDiscriminator} tells uniform [0, 1) samples (a fresh draw of the
 *       features' shape per step) from y; {@link InfoMaxLoss#prior}, weight γ; how it reaches the
 *       encoder is {@link InfoMaxPrior}.
 *   <li>One view per image, a horizontal flip only (the paper's transform for this method); Adam at
 *       1e-4 on encoder and discriminators together (the paper's: "Higher values seem to lead to a
 *       NaN loss"), whatever {@code lr} says.
 * </ul>
 *
 * <p>Where the paper's code departs from the DIM paper, this follows the code in the local map
 * ({@code infomax-local-block 1}, the default) and the global term, and DIM in the prior ({@code
 * infomax-prior adversarial}, the default; {@code joint} is the paper's code):
 *
 * <ul>
 *   <li>The local map is the first block's output (DIM uses a mid-level map, e.g. 8×8 for CIFAR,
 *       map 3 here), so every location sees a 3×3 patch.
 *   <li>The prior term is minimised jointly by the encoder and the discriminator with one
 *       optimizer, with no gradient reversal: the encoder descends {@code −γ log(1 − D(y))} as the
 *       discriminator does, i.e. it helps the discriminator tell its features from the prior
 *       instead of matching the prior as DIM's adversarial game (eq. 7) intends ({@link
 *       InfoMaxPrior#ADVERSARIAL} plays that game).
 *   <li>DIM's global term (α) is left out, as the paper's run sets α = 0.
 * </ul>
 *
 * <p>Measured on Fashion-MNIST (Conv-4, seed 7, {@code docs/method.md} "Baselines"), the joint
 * prior is why this baseline ended below random weights: at 300 steps it gives linear 0.522 and kNN
 * 0.534 against random weights' 0.489 and 0.679; {@link InfoMaxPrior#ADVERSARIAL} gives 0.688 and
 * 0.676, and dropping the prior ({@link InfoMaxPrior#NONE}) lies between (150 steps). Later local
 * maps do no better. A baseline that learns nothing is a defect, so the adversarial prior is the
 * default: it lifts linear evaluation 20 points above random weights and kNN level with them (12 of
 * 5,000 test images below); {@code --infomax-prior joint} reproduces the paper's code.
 *
 * <p>The prior samples of a step are drawn from the seed and the minibatch's image indices, so a
 * step, its recomputation and its forward-only {@link #loss} see the same samples.
 */
public final class InfoMaxModel extends BaselineModel {
  /** Weight of the local mutual-information term (the paper's β). */
  public static final double BETA = 1.0;

  /** Weight of the prior term (the paper's γ). */
  public static final double GAMMA = 0.1;

  /** Adam's learning rate for this method (the paper's). */
  public static final double LEARNING_RATE = 1e-4;

  private final LocalFeatureBackbone backbone;
  private final InfoMaxHead head;
  private final int localBlock;
  private final InfoMaxPrior priorMode;
  private final long priorSeed;
  private final DataType dtype;

  /**
   * With the paper's discriminator sizes.
   *
   * @param backbone the encoder, which must expose a local map
   * @param localBlock which of its local maps the local term reads (1 = the earliest)
   * @param priorMode how the prior term trains the encoder
   * @param seed seed of the discriminators' initialisation and of the prior samples
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public InfoMaxModel(
      LocalFeatureBackbone backbone,
      int localBlock,
      InfoMaxPrior priorMode,
      long seed,
      DataType dtype) {
    this(
        backbone,
        localBlock,
        priorMode,
        new InfoMaxHead(
            localChannels(backbone, localBlock),
            backbone.featureSize(),
            InfoMaxHead.LOCAL_HIDDEN,
            InfoMaxHead.PRIOR_HIDDEN_1,
            InfoMaxHead.PRIOR_HIDDEN_2,
            seed,
            dtype),
        seed,
        dtype);
  }

  /** With given discriminators (tests use small ones). */
  InfoMaxModel(
      LocalFeatureBackbone backbone,
      int localBlock,
      InfoMaxPrior priorMode,
      InfoMaxHead head,
      long seed,
      DataType dtype) {
    super(backbone, head, dtype);
    localChannels(backbone, localBlock);
    this.backbone = backbone;
    this.head = head;
    this.localBlock = localBlock;
    this.priorMode = priorMode;
    this.priorSeed = Seeds.mix(seed, 0x1f0_4a7L);
    this.dtype = dtype;
  }

  /** Channels of the backbone's local map {@code block}, refusing a block it does not have. */
  static int localChannels(LocalFeatureBackbone backbone, int block) {
    if (block < 1 || block > backbone.localBlocks()) {
      throw new IllegalArgumentException(
          "local map " + block + " of a backbone with maps 1.." + backbone.localBlocks());
    }
    return backbone.localChannels(block);
  }

  @Override
  public MethodKind method() {
    return MethodKind.INFOMAX;
  }

  @Override
  public int viewsPerImage() {
    return 1;
  }

  /**
   * One per image: both terms are means over images (the local term first averages each image's
   * locations). The parameter server refuses this method for now, so this is the weight it would
   * take, not one in use.
   */
  @Override
  public long lossTerms(int images) {
    return images;
  }

  /** The paper's transform for Deep InfoMax: a horizontal flip of the whole image, nothing else. */
  @Override
  public AugmentationConfig augmentation(AugmentationConfig paper) {
    double ratio = (double) paper.outputWidth() / paper.outputHeight();
    return paper
        .withCrop(Range.fixed(1), Range.fixed(ratio))
        .withJitter(0, paper.brightness(), paper.contrast(), paper.saturation(), paper.hue())
        .withGrayscaleProbability(0);
  }

  @Override
  public Optimizer optimizer(double learningRate, long totalSteps) {
    return new Adam((int) numParams(), LEARNING_RATE, statisticsMask());
  }

  /** The prior samples of a minibatch: uniform on [0, 1), {@code [M, D]}. */
  INDArray priorSamples(Batch batch) {
    long s = priorSeed;
    for (int image : batch.images()) {
      s = Seeds.mix(s, image);
    }
    SplittableRandom rnd = new SplittableRandom(s);
    int d = backbone.featureSize();
    double[] u = new double[batch.m() * d];
    for (int i = 0; i < u.length; i++) {
      u[i] = rnd.nextDouble();
    }
    return Nd4j.createFromArray(u).castTo(dtype).reshape(batch.m(), d);
  }

  /** The two terms of a step, each weighted; {@code prior} is null without a prior term. */
  private record Terms(InfoMaxLoss.Result local, InfoMaxLoss.Result prior, long pairs) {
    double priorLoss() {
      return prior == null ? 0 : prior.loss();
    }
  }

  /** The terms on the features of a training forward (the local discriminator keeps its state). */
  private Terms terms(INDArray features, Batch batch) {
    LocalDiscriminator.Scores scores =
        head.local().forward(backbone.localFeatures(localBlock), features);
    InfoMaxLoss.Result local = InfoMaxLoss.local(scores.matched(), scores.mismatched(), BETA);
    InfoMaxLoss.Result prior = null;
    if (priorMode != InfoMaxPrior.NONE) {
      PriorDiscriminator.Logits logits = head.prior().forward(priorSamples(batch), features);
      prior = InfoMaxLoss.prior(logits.prior(), logits.features(), GAMMA);
    }
    return new Terms(local, prior, scores.matched().length);
  }

  /**
   * The loss whose gradient the encoder descends: the reported loss (local + prior) except in
   * {@link InfoMaxPrior#ADVERSARIAL} mode, where it is local − prior (the gradient reversal). The
   * discriminators always descend the reported loss. Gradient checks compare the backbone's part of
   * the flat gradient with this.
   */
  double encoderLoss(Batch batch) {
    Terms t = terms(backbone.forward(inputs(batch), true), batch);
    head.local().release();
    double sign = priorMode == InfoMaxPrior.ADVERSARIAL ? -1 : 1;
    return t.local().loss() + sign * t.priorLoss();
  }

  @Override
  Objective objective(INDArray features, Batch batch, boolean backward) {
    Terms t = terms(features, batch);
    // the discriminator's pairs: acc+ is matched pairs scored > 0, acc- mismatched ones <= 0
    long r = t.pairs();
    StepStats stats =
        new StepStats(
            (t.local().loss() + t.priorLoss()) * 2 * r,
            2 * r,
            r,
            t.local().positivesAbove(),
            r,
            t.local().negativesBelow());
    if (!backward) {
      head.local().release();
      return new Objective(stats, null);
    }
    head.zeroGradients();
    LocalDiscriminator.InputGradients dLocal =
        head.local().backward(t.local().positiveGradient(), t.local().negativeGradient());
    INDArray dFeatures = dLocal.features();
    if (t.prior() != null) {
      INDArray dPrior =
          head.prior().backward(t.prior().positiveGradient(), t.prior().negativeGradient());
      // the discriminator's own gradient stays as it is; only what reaches the encoder is reversed
      if (priorMode == InfoMaxPrior.ADVERSARIAL) {
        dFeatures.subi(dPrior);
      } else {
        dFeatures.addi(dPrior);
      }
    }
    return new Objective(stats, dFeatures, localBlock, dLocal.localMap());
  }
}

package org.relreason.model.method;

import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.ParamBlock;

/**
 * Deep InfoMax's discriminators as one {@link ParamBlock}, so that they sit in the model's flat
 * vector after the backbone like every other method's head. Flat layout, each layer's {@code W [in,
 * out]} row-major then its {@code b [out]}: the local discriminator's three 1×1 convolutions
 * ({@code (C + D) → H}, the input rows being the map's C channels then the feature's D values;
 * {@code H → H}; {@code H → 1}), then the prior discriminator's three linear layers ({@code D → P1
 * → P2 → 1}). The paper's sizes are H = 256, P1 = 512, P2 = 128.
 */
public final class InfoMaxHead implements ParamBlock {
  /** Hidden width of the local discriminator (the paper's). */
  public static final int LOCAL_HIDDEN = 256;

  /** Hidden widths of the prior discriminator (the paper's). */
  public static final int PRIOR_HIDDEN_1 = 512;

  /** Second hidden width of the prior discriminator (the paper's). */
  public static final int PRIOR_HIDDEN_2 = 128;

  private final List<Dense> layers;
  private final LocalDiscriminator local;
  private final PriorDiscriminator prior;
  private INDArray params;
  private final INDArray gradients;

  /**
   * @param localChannels channels C of the backbone's local map
   * @param featureSize size D of its global features
   * @param localHidden H
   * @param priorHidden1 P1
   * @param priorHidden2 P2
   * @param seed seed of the initialisation (uniform in ±1/sqrt(fan-in), PyTorch's default)
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public InfoMaxHead(
      int localChannels,
      int featureSize,
      int localHidden,
      int priorHidden1,
      int priorHidden2,
      long seed,
      DataType dtype) {
    Dense l0 = new Dense(localChannels + featureSize, localHidden);
    Dense l1 = new Dense(localHidden, localHidden);
    Dense l2 = new Dense(localHidden, 1);
    Dense p0 = new Dense(featureSize, priorHidden1);
    Dense p1 = new Dense(priorHidden1, priorHidden2);
    Dense p2 = new Dense(priorHidden2, 1);
    layers = List.of(l0, l1, l2, p0, p1, p2);
    long n = layers.stream().mapToLong(Dense::numParams).sum();
    params = Nd4j.create(dtype, 1, n);
    gradients = Nd4j.create(dtype, 1, n);
    bindLayers();
    SplittableRandom rnd = new SplittableRandom(seed);
    for (Dense d : layers) {
      d.initialize(rnd);
    }
    local = new LocalDiscriminator(l0, l1, l2, localChannels, featureSize);
    prior = new PriorDiscriminator(p0, p1, p2);
  }

  private void bindLayers() {
    long off = 0;
    for (Dense d : layers) {
      d.bind(params, gradients, off);
      off += d.numParams();
    }
  }

  LocalDiscriminator local() {
    return local;
  }

  PriorDiscriminator prior() {
    return prior;
  }

  /** Sets every gradient to 0 (the discriminators accumulate into them). */
  void zeroGradients() {
    gradients.assign(0);
  }

  @Override
  public long numParams() {
    return params.length();
  }

  @Override
  public INDArray params() {
    return params;
  }

  @Override
  public INDArray gradients() {
    return gradients;
  }

  @Override
  public void bind(INDArray paramsView) {
    params = ParamBlock.moveInto(params, paramsView);
    bindLayers();
  }

  @Override
  public boolean[] statisticsMask() {
    return new boolean[(int) params.length()];
  }
}

package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.config.MethodKind;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.MlpHead;
import org.relreason.model.train.Batch;
import org.relreason.model.train.StepStats;

/**
 * SimCLR (Chen et al. 2020) as the paper's baseline: two views per image with the paper's
 * augmentation, a projection head Linear(D→256) → BN → LeakyReLU → Linear(256→64), NT-Xent at τ =
 * 0.5 over the 2M projections ({@link NtXent}), Adam.
 */
public final class SimClrModel extends BaselineModel {
  /** Hidden width of the projection head. */
  public static final int HIDDEN = 256;

  /** Size of a projection. */
  public static final int PROJECTION = 64;

  private final MlpHead projection;
  private final double temperature;
  private final DataType dtype;

  /**
   * @param backbone the backbone
   * @param temperature τ of NT-Xent
   * @param seed seed of the projection head's initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public SimClrModel(Backbone backbone, double temperature, long seed, DataType dtype) {
    this(
        backbone,
        new MlpHead(backbone.featureSize(), HIDDEN, PROJECTION, seed, dtype),
        temperature,
        dtype);
  }

  private SimClrModel(Backbone backbone, MlpHead projection, double temperature, DataType dtype) {
    super(backbone, projection, dtype);
    if (!(temperature > 0)) {
      throw new IllegalArgumentException(
          "NT-Xent temperature must be positive, got " + temperature);
    }
    this.projection = projection;
    this.temperature = temperature;
    this.dtype = dtype;
  }

  @Override
  public MethodKind method() {
    return MethodKind.SIMCLR;
  }

  /**
   * NT-Xent averages over the 2M anchors (both views of every image). Under the parameter server's
   * images sharding each shard's anchors find their negatives among the shard's own images only.
   */
  @Override
  public long lossTerms(int images) {
    return 2L * images;
  }

  @Override
  public int viewsPerImage() {
    return 2;
  }

  @Override
  Objective objective(INDArray features, Batch batch, boolean backward) {
    INDArray z = projection.forward(features, true);
    NtXent.Result r = NtXent.evaluate(z.toDoubleMatrix(), temperature);
    StepStats stats = StepStats.ofClassification(r.loss(), r.n(), r.correct());
    if (!backward) {
      return new Objective(stats, null);
    }
    INDArray dz = Nd4j.createFromArray(r.gradient()).castTo(dtype);
    return new Objective(stats, projection.backward(dz));
  }
}

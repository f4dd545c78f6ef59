package org.relreason.model.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.HeadKind;
import org.relreason.model.nn.MlpHead;
import org.relreason.model.nn.PairAggregator;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.nn.RelationHead;

/**
 * Backbone and relation head with ONE flat parameter vector and ONE flat gradient vector ({@code
 * [backbone | head]}), so that an optimizer, a checkpoint or a parameter server handles a single
 * array. The networks read their parameters from the shared vector; their gradients are copied into
 * the flat gradient vector after each backward. {@link #computeGradients} is the whole
 * forward/backward of one step; it changes no parameter. The "head" is the paper's relation head or
 * one of its ablations ({@link HeadKind}); the dot product has no parameters.
 */
public final class RelationalModel extends FlatModel {
  private final PairScorer head;
  private final RelationalObjective objective;
  private final int k;

  /**
   * Builds a freshly initialised model.
   *
   * @param spec backbone architecture and input geometry
   * @param aggregation how pairs are joined
   * @param loss the loss on relation logits
   * @param seed seed of the weight initialisation (backbone and head get derived seeds)
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public RelationalModel(
      BackboneSpec spec, Aggregation aggregation, FocalLoss loss, long seed, DataType dtype) {
    this(Backbones.build(spec, seed, dtype), aggregation, loss, seed, dtype);
  }

  /** Builds a model with the paper's relation head around a given backbone. */
  public RelationalModel(
      Backbone backbone, Aggregation aggregation, FocalLoss loss, long seed, DataType dtype) {
    this(backbone, HeadKind.MLP, aggregation, loss, 2, seed, dtype);
  }

  /**
   * Builds a model around a given backbone.
   *
   * @param backbone the backbone
   * @param headKind the relation head or an ablation of it
   * @param aggregation how pairs are joined (for the relation head)
   * @param loss the loss on relation logits
   * @param k views per image the trainer builds
   * @param seed seed of the head's initialisation is {@code seed + 1}
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public RelationalModel(
      Backbone backbone,
      HeadKind headKind,
      Aggregation aggregation,
      FocalLoss loss,
      int k,
      long seed,
      DataType dtype) {
    this(backbone, headKind, aggregation, loss, k, seed, dtype, MlpHead.Impl.NATIVE);
  }

  /**
   * As above, with a chosen implementation of the MLP heads (tests compare the native one with
   * Deeplearning4j's layers).
   */
  public RelationalModel(
      Backbone backbone,
      HeadKind headKind,
      Aggregation aggregation,
      FocalLoss loss,
      int k,
      long seed,
      DataType dtype,
      MlpHead.Impl headImpl) {
    this(
        backbone,
        scorer(headKind, aggregation, backbone.featureSize(), seed, dtype, headImpl),
        loss,
        k,
        dtype);
  }

  private RelationalModel(
      Backbone backbone, PairScorer head, FocalLoss loss, int k, DataType dtype) {
    super(backbone, head, dtype);
    this.head = head;
    this.k = k;
    this.objective = new RelationalObjective(head, loss);
  }

  /** The relation head or its ablation, seeded {@code seed + 1}, for features of size d. */
  private static PairScorer scorer(
      HeadKind headKind,
      Aggregation aggregation,
      int d,
      long seed,
      DataType dtype,
      MlpHead.Impl headImpl) {
    return switch (headKind) {
      case MLP ->
          new MlpPairScorer(
              new PairAggregator(aggregation),
              new RelationHead(aggregation.outputSize(d), seed + 1, dtype, headImpl));
      case DOT -> new DotPairScorer(null, dtype);
      case ENCODER_DOT ->
          new DotPairScorer(
              new MlpHead(d, RelationHead.HIDDEN, DotPairScorer.ENCODED, seed + 1, dtype, headImpl),
              dtype);
    };
  }

  /**
   * The model a configuration trains, for images of the given geometry, initialised from the
   * config's seed (so a random-weights baseline and a fresh run start from the same weights). The
   * backbone runs on its fast native-op implementation ({@link Backbones#buildFast}); its
   * parameters, their layout and initialisation are those of the Deeplearning4j graph, which stays
   * the reference implementation in the tests. Every trainer (single process, worker, evaluation)
   * builds its model here, so they cannot drift apart.
   */
  public static RelationalModel fromConfig(
      TrainConfig config, int channels, int height, int width) {
    BackboneSpec spec =
        new BackboneSpec(config.backbone(), config.width(), channels, height, width);
    long seed = initSeed(config);
    return new RelationalModel(
        Backbones.buildFast(spec, config.representationSize(), seed, DataType.FLOAT),
        config.head(),
        config.aggregation(),
        FocalLoss.of(config.loss(), config.focalGamma(), config.focalAlpha()),
        config.k(),
        seed,
        DataType.FLOAT);
  }

  /** Seed of the weight initialisation of a configured run. */
  public static long initSeed(TrainConfig config) {
    return Seeds.mix(config.seed(), 1);
  }

  @Override
  public MethodKind method() {
    return MethodKind.RELATIONAL;
  }

  /** The relation head (or the ablation in its place). */
  public PairScorer head() {
    return head;
  }

  @Override
  public int viewsPerImage() {
    return k;
  }

  /** The pairs of {@link PairPlan#of}: {@code images·K(K−1)}. */
  @Override
  public long lossTerms(int images) {
    return (long) images * k * (k - 1);
  }

  /**
   * One forward/backward: views {@code [K*M, C, H, W]} in view-major order (view v of image n at
   * row v*M + n) → features → pairs → head → loss; fills {@link #gradients()} with the gradient of
   * the mean loss over the plan's pairs (and the batch-norm statistic deltas).
   */
  public StepStats computeGradients(INDArray views, PairPlan plan) {
    return computeGradients(views, plan, new PhaseTimer());
  }

  /** As {@link #computeGradients(INDArray, PairPlan)}, charging time to the timer's phases. */
  public StepStats computeGradients(INDArray views, PairPlan plan, PhaseTimer timer) {
    timer.start();
    INDArray features = backbone().forward(views, true);
    timer.stop(Phase.BACKBONE_FORWARD);
    RelationalObjective.Output out = objective.forwardBackward(features, plan, timer);
    backbone().backward(out.featureGradient());
    collectGradients();
    timer.stop(Phase.BACKBONE_BACKWARD);
    return out.stats();
  }

  /** One step on a batch: the pair plan is semi-supervised when the batch carries labels. */
  @Override
  public StepStats computeGradients(Batch batch, PhaseTimer timer) {
    return computeGradients(batch.views(), plan(batch), timer);
  }

  @Override
  public double loss(Batch batch) {
    return loss(batch.views(), plan(batch));
  }

  private static PairPlan plan(Batch batch) {
    return batch.labels() == null
        ? PairPlan.of(batch.m(), batch.viewsPerImage())
        : PairPlan.withLabels(batch.m(), batch.viewsPerImage(), batch.labels());
  }

  /** The mean loss of a step's views, forward only (for gradient checks and monitoring). */
  public double loss(INDArray views, PairPlan plan) {
    return objective.loss(backbone().forward(views, true), plan);
  }

  /** The objective, for callers that compute features elsewhere. */
  public RelationalObjective objective() {
    return objective;
  }
}

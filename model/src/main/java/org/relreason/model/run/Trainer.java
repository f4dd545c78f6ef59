package org.relreason.model.run;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.augment.ViewAugmenter;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.method.Methods;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.train.Batch;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;
import org.relreason.model.train.MinibatchSchedule;
import org.relreason.model.train.NativeBuffers;
import org.relreason.model.train.NativeMemory;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Optimizers;
import org.relreason.model.train.ParallelChunks;
import org.relreason.model.train.Phase;
import org.relreason.model.train.PhaseTimer;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.RunCursor;
import org.relreason.model.train.Seeds;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Pre-training in one process, top to bottom: for each step, the minibatch of the {@link
 * MinibatchSchedule} → the method's augmented views per image (built for the next step while this
 * one computes) → {@link PretrainModel#computeGradients} → the method's {@link Optimizer} (Adam, or
 * SGD for the supervised baseline) on the flat vector → progress, checkpoint. Relational reasoning
 * is one {@link PretrainModel}; the baselines are others ({@link Methods}). This is the reference a
 * distributed run must reproduce.
 */
public final class Trainer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);

  private final TrainConfig config;
  private final ImageSet train;
  private final PretrainModel model;
  private final Optimizer optimizer;
  private final MinibatchSchedule schedule;
  private final ViewAugmenter augmenter;
  private final ExecutorService prefetch;
  private final PhaseTimer timer = new PhaseTimer();
  private final int[] knownLabels;
  private final Normalization normalization;
  private final RunCursor cursor;
  private boolean resumeChecked;

  /** The two view buffers {@link #submitViews} alternates between, and the one it filled last. */
  private final float[][] viewBuffers = new float[2][];

  private int nextBuffer;

  /** The step's gradient and parameter copies, reused from step to step. */
  private float[] gradient;

  private float[] params;

  /** The step's input views, one native buffer reused while the batch shape stays. */
  private INDArray input;

  /**
   * @param config the run
   * @param train the pre-training images (labels are used only with a label fraction)
   * @param normalization the dataset's normalisation
   */
  public Trainer(TrainConfig config, ImageSet train, Normalization normalization) {
    this.config = config;
    this.train = train;
    this.normalization = normalization;
    if (config.method() == MethodKind.RANDOM) {
      throw new ConfigException(
          "config key 'method': value 'random' means no pre-training; there is nothing to train");
    }
    this.model = Methods.build(config, train);
    this.schedule = MinibatchSchedule.of(config, train.size());
    this.cursor =
        new RunCursor(schedule.stepsPerEpoch(), (long) config.m() * model.viewsPerImage());
    this.optimizer = Optimizers.forRun(model, config, schedule.totalSteps(config));
    AugmentationConfig aug =
        model.augmentation(
            AugmentationConfig.paper().withOutputSize(train.height(), train.width()));
    this.augmenter = new ViewAugmenter(aug, normalization, config.augmentThreads());
    this.prefetch =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "relreason-prefetch");
              t.setDaemon(true);
              return t;
            });
    this.knownLabels = model.usesLabels() ? trueLabels(config, train) : knownLabels(config, train);
    NativeMemory.boundGarbage();
  }

  /** The labels of a method that trains on them (the supervised baseline). */
  private static int[] trueLabels(TrainConfig config, ImageSet train) {
    if (!train.labeled()) {
      throw new ConfigException(
          "config key 'method': value '"
              + config.method().id()
              + "' trains on labels and "
              + train.name()
              + " has none");
    }
    return train.labels().clone();
  }

  /** Labels the semi-supervised option may use (-1 = hidden), or null without that option. */
  private static int[] knownLabels(TrainConfig config, ImageSet train) {
    if (config.labelFraction() <= 0) {
      return null;
    }
    if (config.method() != MethodKind.RELATIONAL) {
      throw new ConfigException(
          "config key 'label-fraction': only relational reasoning uses it, not method '"
              + config.method().id()
              + "'");
    }
    if (!train.labeled()) {
      throw new ConfigException(
          "config key 'label-fraction': " + train.name() + " has no labels to use");
    }
    int[] known = new int[train.size()];
    for (int i = 0; i < known.length; i++) {
      boolean keep = Seeds.uniform(config.seed(), 3_000_000_000L + i) < config.labelFraction();
      known[i] = keep ? train.label(i) : -1;
    }
    return known;
  }

  /** The model being trained. */
  public PretrainModel model() {
    return model;
  }

  /** The optimizer. */
  public Optimizer optimizer() {
    return optimizer;
  }

  /** The minibatch schedule. */
  public MinibatchSchedule schedule() {
    return schedule;
  }

  /** Steps the configured run takes in total. */
  public long totalSteps() {
    return schedule.totalSteps(config);
  }

  /** Steps completed (after a resume: including the ones before it). */
  public long globalStep() {
    return cursor.globalStep();
  }

  /** The pair plan of a minibatch (semi-supervised targets when labels are known). */
  public PairPlan plan(int[] images) {
    int[] labels = labels(images);
    return labels == null
        ? PairPlan.of(images.length, config.k())
        : PairPlan.withLabels(images.length, config.k(), labels);
  }

  /** The labels a step may see of its images, or null. */
  private int[] labels(int[] images) {
    if (knownLabels == null) {
      return null;
    }
    int[] labels = new int[images.length];
    for (int n = 0; n < images.length; n++) {
      labels[n] = knownLabels[images[n]];
    }
    return labels;
  }

  /**
   * Runs pre-training from the current cursor (the latest checkpoint in {@code checkpoint-dir}, if
   * any, else the start) to {@link #totalSteps()}.
   */
  public PretrainResult pretrain(TrainListener listener) throws IOException {
    return pretrain(listener, Long.MAX_VALUE);
  }

  /**
   * As {@link #pretrain(TrainListener)} but stops after global step {@code untilStep} (a benchmark
   * warms up with one call and times the next).
   */
  public PretrainResult pretrain(TrainListener listener, long untilStep) throws IOException {
    Optional<CheckpointStore> store =
        config.checkpointDir().isEmpty()
            ? Optional.empty()
            : Optional.of(new CheckpointStore(Path.of(config.checkpointDir()), 3));
    if (store.isPresent() && !resumeChecked) {
      resumeChecked = true;
      Optional<CheckpointStore.Loaded> latest = store.get().latestValid();
      if (latest.isPresent()) {
        resume(latest.get().checkpoint(), latest.get().file());
      }
    }
    long total = Math.min(totalSteps(), untilStep);
    List<PretrainResult.EpochStats> history = new ArrayList<>();
    StepStats last = null;
    timer.reset();
    cursor.begin(total);
    CompletableFuture<float[]> next =
        cursor.done() ? null : submitViews(cursor.epoch(), cursor.stepInEpoch());
    while (!cursor.done()) {
      timer.start();
      float[] views = next.join();
      timer.stop(Phase.AUGMENT);
      if (cursor.epochPreparationDue()) {
        model.beforeEpoch(cursor.epoch(), train, normalization, optimizer);
        cursor.epochPrepared(cursor.epoch());
      }
      int[] images = schedule.images(cursor.epoch(), cursor.stepInEpoch());
      next =
          cursor.globalStep() + 1 < total
              ? submitViews(cursor.followingEpoch(), cursor.followingStepInEpoch())
              : null;
      last = step(views, images);
      RunCursor.Advance a = cursor.advance(last, total);
      listener.onStep(a.report());
      listener.afterStep(cursor.globalStep(), model::paramsVector);
      if (a.closedEpoch() != null) {
        StepStats e = a.closedEpoch();
        int closed = a.report().epoch();
        history.add(
            new PretrainResult.EpochStats(
                closed, e.loss(), e.positiveAccuracy(), e.negativeAccuracy()));
        listener.onEpochEnd(closed, e);
      }
      if (store.isPresent() && cursor.checkpointDue(config.checkpointEvery(), a)) {
        Path file = store.get().save(checkpoint());
        listener.onCheckpoint(file);
      }
    }
    long steps = cursor.stepsSinceBegin();
    double seconds = cursor.secondsSinceBegin();
    Map<String, Double> phases = new TreeMap<>();
    timer.seconds().forEach((p, s) -> phases.put(p.id(), s));
    return new PretrainResult(
        steps,
        cursor.globalStep(),
        seconds,
        steps == 0 ? 0 : steps * (double) config.m() * model.viewsPerImage() / seconds,
        last,
        history,
        phases);
  }

  /**
   * Runs {@code warmup} untimed and then {@code steps} timed optimisation steps on one batch of
   * views, augmented once from the current minibatch and reused: the training step without
   * augmentation or data loading, as {@code bench/pytorch_step.py} times PyTorch's step on fixed
   * images. The parameters move as in training; the schedule's cursor does not. Returns the timed
   * steps' figures (phase {@code augment} is 0).
   */
  public PretrainResult timeFixedViews(int warmup, int steps) {
    if (steps < 1 || warmup < 0) {
      throw new IllegalArgumentException(
          "steps must be at least 1 and warmup at least 0, got " + steps + " and " + warmup);
    }
    int[] images = schedule.images(cursor.epoch(), cursor.stepInEpoch());
    float[] views =
        augmenter.views(train, images, model.viewsPerImage(), config.seed(), cursor.epoch());
    for (int i = 0; i < warmup; i++) {
      step(views, images);
    }
    timer.reset();
    StepStats last = null;
    long t0 = System.nanoTime();
    for (int i = 0; i < steps; i++) {
      last = step(views, images);
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    Map<String, Double> phases = new TreeMap<>();
    timer.seconds().forEach((p, t) -> phases.put(p.id(), t));
    return new PretrainResult(
        steps,
        cursor.globalStep(),
        seconds,
        steps * (double) config.m() * model.viewsPerImage() / seconds,
        last,
        List.of(),
        phases);
  }

  /**
   * Builds the views of step {@code s} of epoch {@code e} on the prefetch thread, into the view
   * buffer the step in progress does not read (two alternate: one being trained on, one being
   * filled), so that a run allocates no batch of views per step.
   */
  private CompletableFuture<float[]> submitViews(int e, int s) {
    int[] images = schedule.images(e, s);
    int length =
        Math.multiplyExact(images.length * model.viewsPerImage(), augmenter.viewLength(train));
    nextBuffer ^= 1;
    if (viewBuffers[nextBuffer] == null || viewBuffers[nextBuffer].length != length) {
      viewBuffers[nextBuffer] = new float[length];
    }
    float[] out = viewBuffers[nextBuffer];
    return CompletableFuture.supplyAsync(
        () -> augmenter.views(train, images, model.viewsPerImage(), config.seed(), e, out),
        prefetch);
  }

  /** One optimisation step on given views of the given images. */
  StepStats step(float[] views, int[] images) {
    long[] shape = {
      (long) model.viewsPerImage() * images.length, train.channels(), train.height(), train.width()
    };
    if (input == null || !java.util.Arrays.equals(input.shape(), shape)) {
      if (input != null) {
        input.close();
      }
      input = Nd4j.create(DataType.FLOAT, shape);
    }
    NativeBuffers.put(views, input);
    StepStats stats = model.computeGradients(new Batch(input, images, labels(images)), timer);
    if (gradient == null) {
      gradient = new float[Math.toIntExact(model.numParams())];
      params = new float[gradient.length];
    }
    model.gradientVector(gradient);
    int i = ParallelChunks.firstNonFinite(gradient);
    if (i >= 0) {
      throw new IllegalStateException(
          "non-finite gradient at step "
              + cursor.globalStep()
              + " (epoch "
              + cursor.epoch()
              + ", step "
              + cursor.stepInEpoch()
              + "), parameter "
              + i
              + " = "
              + gradient[i]
              + "; loss "
              + stats.loss()
              + ": lower the learning rate or check the input data");
    }
    timer.start();
    model.paramsVector(params);
    optimizer.step(params, gradient);
    model.setParams(params);
    timer.stop(Phase.OPTIMIZER);
    return stats;
  }

  /** The state to continue from. */
  public Checkpoint checkpoint() {
    return new Checkpoint(
        config.asMap(),
        cursor.epoch(),
        cursor.stepInEpoch(),
        cursor.globalStep(),
        model.paramsVector(),
        optimizer.state());
  }

  /** Continues from a checkpoint of a run with the same model-defining configuration. */
  public void resume(Checkpoint c, Path from) {
    TrainConfig saved = TrainConfig.of(c.config());
    Map<String, String> mine = config.modelDefiningKeys();
    Map<String, String> theirs = saved.modelDefiningKeys();
    if (!mine.equals(theirs)) {
      List<String> diff = new ArrayList<>();
      for (String key : mine.keySet()) {
        if (!mine.get(key).equals(theirs.get(key))) {
          diff.add(key + "=" + theirs.get(key) + " (this run: " + mine.get(key) + ")");
        }
      }
      throw new ConfigException(
          "checkpoint " + from + " was written by a different run: " + String.join(", ", diff));
    }
    model.setParams(c.params());
    optimizer.restore(c.adam());
    cursor.resumeAt(c.epoch(), c.stepInEpoch(), c.globalStep());
    LOG.info(
        "resumed from {} at step {} (epoch {}, step {} of the epoch)",
        from,
        c.globalStep(),
        c.epoch(),
        c.stepInEpoch());
  }

  @Override
  public void close() {
    prefetch.shutdownNow();
    augmenter.close();
    if (input != null) {
      input.close();
    }
  }
}

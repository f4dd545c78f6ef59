package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.run.Trainer;
import org.relreason.protocol.v1.ShardingMode;

/**
 * A distributed step equals the single-process computation of the same shard plan, and ten
 * distributed steps give the same parameters as ten single-process steps.
 */
class DistributedEquivalenceTest {
  private static final int STEPS = 10;

  static RunResult embedded(TrainConfig config, ImageSet set, int workers, ShardingMode mode) {
    CoordinatorOptions options =
        CoordinatorOptions.of(UUID.randomUUID().toString(), workers, mode).recordingGradients();
    return EmbeddedRun.run(config, set, Reference.NORM, options);
  }

  // M=7 makes the shards unequal (4+3 images, 11+10 views), so the pair- and view-count weights
  // of the aggregation are exercised, not just an unweighted mean.
  @ParameterizedTest(name = "{1} mode, {0} workers, M={2}")
  @CsvSource({
    "1, IMAGES, 6",
    "2, IMAGES, 6",
    "3, IMAGES, 6",
    "1, VIEWS, 6",
    "2, VIEWS, 6",
    "3, VIEWS, 6",
    "2, IMAGES, 7",
    "2, VIEWS, 7"
  })
  void distributedStepsEqualTheSingleProcessShardPlan(int workers, ShardingMode mode, int m) {
    TrainConfig config = Reference.tinyConfig(STEPS, m);
    ImageSet set = Reference.tinyImages();
    RunResult run = embedded(config, set, workers, mode);
    List<Reference.Step> ref;
    float[] refParams;
    try (Reference r = new Reference(config, set)) {
      ref = r.train(STEPS, mode, workers);
      refParams = r.model.paramsVector();
    }
    assertThat(run.steps()).isEqualTo(STEPS);
    for (int t = 0; t < STEPS; t++) {
      assertThat(relative(run.losses()[t], ref.get(t).loss()))
          .as("loss of step %d", t)
          .isLessThan(1e-5);
      assertThat(relative(run.gradients().get(t), ref.get(t).gradient()))
          .as("gradient of step %d", t)
          .isLessThan(1e-5);
    }
    assertThat(run.gradients().get(0))
        .as("first gradient, bit for bit")
        .containsExactly(ref.get(0).gradient());
    assertThat(run.finalParams())
        .as("parameters after %d steps, bit for bit", STEPS)
        .containsExactly(refParams);
    assertThat(run.faults()).isEqualTo(new FaultCounters(0, 0, 0, 0, 0, 0, 0, 0, 0));
  }

  @Test
  void oneWorkerEqualsThePlainSingleProcessTrainer() throws Exception {
    TrainConfig config = Reference.tinyConfig(STEPS);
    ImageSet set = Reference.tinyImages();
    float[] trainerParams;
    try (Trainer trainer = new Trainer(config, set, Reference.NORM)) {
      trainer.pretrain(new org.relreason.model.train.TrainListener() {});
      trainerParams = trainer.model().paramsVector();
    }
    for (ShardingMode mode : new ShardingMode[] {ShardingMode.IMAGES, ShardingMode.VIEWS}) {
      RunResult run = embedded(config, set, 1, mode);
      assertThat(run.finalParams())
          .as("%s mode, one worker vs Trainer", mode)
          .containsExactly(trainerParams);
    }
  }

  /** The tiny run with every optimiser option of #15 on: warm-up, cosine, AdamW, clipping. */
  static TrainConfig withOptimiserOptions(TrainConfig c) {
    Map<String, String> m = new HashMap<>(c.asMap());
    m.put("lr-schedule", "cosine");
    m.put("warmup-steps", "3");
    m.put("weight-decay", "0.05");
    m.put("grad-clip", "0.05");
    return TrainConfig.of(m);
  }

  @ParameterizedTest(name = "{1} mode, {0} workers, warm-up + cosine + AdamW + clipping")
  @CsvSource({"2, IMAGES", "3, IMAGES", "2, VIEWS"})
  void withTheOptimiserOptionsDistributedStepsStillEqualTheSingleProcess(
      int workers, ShardingMode mode) {
    TrainConfig config = withOptimiserOptions(Reference.tinyConfig(STEPS));
    ImageSet set = Reference.tinyImages();
    RunResult run = embedded(config, set, workers, mode);
    float[] refParams;
    List<Reference.Step> ref;
    boolean[] statistics;
    try (Reference r = new Reference(config, set)) {
      ref = r.train(STEPS, mode, workers);
      refParams = r.model.paramsVector();
      statistics = r.model.statisticsMask();
    }
    assertThat(run.finalParams())
        .as("parameters after %d steps with the options, bit for bit", STEPS)
        .containsExactly(refParams);
    // the options are in effect: clipping cut some step, and the run differs from the paper's
    assertThat(ref)
        .anyMatch(s -> norm(s.gradient(), statistics) > 0.05)
        .as("some gradient above the clipping norm");
    try (Reference paper = new Reference(Reference.tinyConfig(STEPS), set)) {
      paper.train(STEPS, mode, workers);
      assertThat(paper.model.paramsVector()).isNotEqualTo(refParams);
    }
  }

  @Test
  void withTheOptimiserOptionsOneWorkerEqualsThePlainSingleProcessTrainer() throws Exception {
    TrainConfig config = withOptimiserOptions(Reference.tinyConfig(STEPS));
    ImageSet set = Reference.tinyImages();
    float[] trainerParams;
    try (Trainer trainer = new Trainer(config, set, Reference.NORM)) {
      trainer.pretrain(new org.relreason.model.train.TrainListener() {});
      trainerParams = trainer.model().paramsVector();
    }
    for (ShardingMode mode : new ShardingMode[] {ShardingMode.IMAGES, ShardingMode.VIEWS}) {
      assertThat(embedded(config, set, 1, mode).finalParams())
          .as("%s mode, one worker vs Trainer, with the options", mode)
          .containsExactly(trainerParams);
    }
  }

  private static double norm(float[] g, boolean[] statistics) {
    double s = 0;
    for (int i = 0; i < g.length; i++) {
      s += statistics[i] ? 0 : (double) g[i] * g[i];
    }
    return Math.sqrt(s);
  }

  static double relative(double a, double b) {
    return Math.abs(a - b) / Math.max(Math.abs(b), 1e-30);
  }

  /** ‖a − b‖ / ‖b‖. */
  static double relative(float[] a, float[] b) {
    assertThat(a).hasSameSizeAs(b);
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < a.length; i++) {
      diff += (double) (a[i] - b[i]) * (a[i] - b[i]);
      norm += (double) b[i] * b[i];
    }
    return Math.sqrt(diff / Math.max(norm, 1e-300));
  }
}

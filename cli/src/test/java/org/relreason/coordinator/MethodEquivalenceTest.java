package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.run.Trainer;
import org.relreason.model.train.TrainListener;
import org.relreason.protocol.v1.ShardingMode;

/**
 * The parameter server trains the baselines (supervised, SimCLR, RotationNet) and the relation-head
 * ablations (dot, encoder + dot) with the guarantees of relational reasoning ({@link
 * DistributedEquivalenceTest}): with 1, 2 and 3 workers every step's gradient and loss are those of
 * the single-process computation of the same shard plan ({@link MethodReference}) bit for bit, ten
 * steps end on the same parameters, and one worker trains exactly what the plain single-process
 * {@link Trainer} trains. M=7 makes the shards unequal (4+3 and 3+2+2 images), so the method's
 * shard weights (its loss terms per shard) matter; ten steps of the supervised baseline cross both
 * of its SGD decays (at steps 5 and 7.5).
 */
class MethodEquivalenceTest {
  private static final int STEPS = 10;
  private static final int M = 7;

  @ParameterizedTest(name = "{0} ({1} head), {2} workers, images mode, M=7")
  @CsvSource({
    "supervised, mlp, 1",
    "supervised, mlp, 2",
    "supervised, mlp, 3",
    "simclr, mlp, 1",
    "simclr, mlp, 2",
    "simclr, mlp, 3",
    "rotation, mlp, 1",
    "rotation, mlp, 2",
    "rotation, mlp, 3",
    "relational, dot, 1",
    "relational, dot, 2",
    "relational, dot, 3",
    "relational, encoder-dot, 1",
    "relational, encoder-dot, 2",
    "relational, encoder-dot, 3"
  })
  void imagesModeEqualsTheSingleProcessShardPlan(String method, String head, int workers)
      throws Exception {
    TrainConfig config =
        MethodReference.tinyConfig(STEPS, M, Map.of("method", method, "head", head));
    check(config, MethodReference.tinyLabeledImages(), workers);
  }

  /**
   * DeepCluster clusters on the coordinator before each epoch: 48 images of 2 classes (k = 20
   * clusters) make 6 steps an epoch, so ten steps re-cluster once, with trained parameters, and
   * re-initialise the head and its optimizer state in the middle of the run.
   */
  @ParameterizedTest(name = "deepcluster, {0} workers, images mode, M=7")
  @CsvSource({"1", "2", "3"})
  void deepClusterEqualsTheSingleProcessShardPlan(int workers) throws Exception {
    TrainConfig config = MethodReference.tinyConfig(STEPS, M, Map.of("method", "deepcluster"));
    check(config, MethodReference.tinyLabeledImages(48, 2), workers);
  }

  private static void check(TrainConfig config, ImageSet set, int workers) throws Exception {
    RunResult run = DistributedEquivalenceTest.embedded(config, set, workers, ShardingMode.IMAGES);
    List<Reference.Step> ref;
    float[] refParams;
    try (MethodReference r = new MethodReference(config, set)) {
      ref = r.train(STEPS, workers);
      refParams = r.model.paramsVector();
    }
    assertThat(run.steps()).isEqualTo(STEPS);
    for (int t = 0; t < STEPS; t++) {
      assertThat(run.losses()[t]).as("loss of step %d", t).isEqualTo(ref.get(t).loss());
      assertThat(run.gradients().get(t))
          .as("gradient of step %d, bit for bit", t)
          .containsExactly(ref.get(t).gradient());
    }
    assertThat(run.finalParams())
        .as("parameters after %d steps, bit for bit", STEPS)
        .containsExactly(refParams);
    assertThat(run.faults()).isEqualTo(new FaultCounters(0, 0, 0, 0, 0, 0, 0, 0, 0));
    if (workers == 1) {
      try (Trainer trainer = new Trainer(config, set, Reference.NORM)) {
        trainer.pretrain(new TrainListener() {});
        assertThat(run.finalParams())
            .as("one worker vs the plain single-process Trainer")
            .containsExactly(trainer.model().paramsVector());
      }
    }
  }

  /** VIEWS mode is relational reasoning's; its head ablations run there too. */
  @ParameterizedTest(name = "relational ({0} head), {1} workers, views mode, M=7")
  @CsvSource({"dot, 2", "encoder-dot, 3"})
  void headAblationsInViewsModeEqualTheSingleProcessShardPlan(String head, int workers) {
    TrainConfig config = MethodReference.tinyConfig(STEPS, M, Map.of("head", head));
    ImageSet set = Reference.tinyImages();
    RunResult run = DistributedEquivalenceTest.embedded(config, set, workers, ShardingMode.VIEWS);
    List<Reference.Step> ref;
    float[] refParams;
    try (Reference r = new Reference(config, set)) {
      ref = r.train(STEPS, ShardingMode.VIEWS, workers);
      refParams = r.model.paramsVector();
    }
    for (int t = 0; t < STEPS; t++) {
      assertThat(run.gradients().get(t))
          .as("gradient of step %d, bit for bit", t)
          .containsExactly(ref.get(t).gradient());
    }
    assertThat(run.finalParams()).as("parameters, bit for bit").containsExactly(refParams);
  }
}

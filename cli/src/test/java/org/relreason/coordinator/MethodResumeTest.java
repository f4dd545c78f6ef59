package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.run.Trainer;
import org.relreason.model.train.TrainListener;
import org.relreason.protocol.v1.ShardingMode;

/**
 * A parameter-server run of a baseline stopped after step 4 and started again from its checkpoint
 * ends where the single-process trainer stopped and resumed the same way ends: the method's
 * optimizer state (SGD's momentum) travels in the checkpoint, and DeepCluster's start-of-epoch work
 * (clustering, head re-initialisation) happens where the trainer does it, at the resume (mid-epoch:
 * 6 steps an epoch) and at the next epoch.
 */
class MethodResumeTest {

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"supervised", "deepcluster"})
  void aResumedRunEndsWhereTheResumedTrainerEnds(String method, @TempDir Path dir)
      throws Exception {
    ImageSet set = MethodReference.tinyLabeledImages(48, 2);
    Path single = dir.resolve("single");
    Path distributed = dir.resolve("distributed");
    float[] expected = null;
    for (long steps : new long[] {4, 10}) {
      try (Trainer t = new Trainer(config(method, steps, single), set, Reference.NORM)) {
        t.pretrain(new TrainListener() {});
        assertThat(t.globalStep()).isEqualTo(steps);
        expected = t.model().paramsVector();
      }
    }
    RunResult first = run(config(method, 4, distributed), set);
    assertThat(first.steps()).isEqualTo(4);
    RunResult rest = run(config(method, 10, distributed), set);
    assertThat(rest.steps()).as("steps after the restart").isEqualTo(6);
    assertThat(rest.finalParams()).containsExactly(expected);
  }

  private static TrainConfig config(String method, long maxSteps, Path checkpoints) {
    return MethodReference.tinyConfig(
        maxSteps,
        7,
        Map.of(
            "method", method, "checkpoint-dir", checkpoints.toString(), "checkpoint-every", "1"));
  }

  private static RunResult run(TrainConfig config, ImageSet set) {
    return EmbeddedRun.run(
        config,
        set,
        Reference.NORM,
        CoordinatorOptions.of(UUID.randomUUID().toString(), 1, ShardingMode.IMAGES));
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.v1.ShardingMode;

/**
 * A coordinator that stops after step 2 (its checkpoint written) and is started again resumes from
 * the checkpoint, with fresh workers that pull the parameters; after step 5 the parameters equal
 * those of an uninterrupted run.
 */
class CoordinatorResumeTest {

  @Test
  void restartedCoordinatorResumesFromItsCheckpointAndFinishesTheSame(@TempDir Path dir)
      throws Exception {
    ImageSet set = Reference.tinyImages();
    RunResult whole = run(config(5, ""), set);
    RunResult first = run(config(2, dir.toString()), set);
    assertThat(first.steps()).isEqualTo(2);
    try (var files = Files.list(dir)) {
      assertThat(files.count()).isGreaterThanOrEqualTo(1);
    }
    RunResult rest = run(config(5, dir.toString()), set);
    assertThat(rest.steps()).as("steps run after the restart").isEqualTo(3);
    assertThat(rest.finalParams()).containsExactly(whole.finalParams());
  }

  /**
   * The newest checkpoint truncated (a crash mid-copy, a bad disk): the coordinator falls back to
   * the previous one, says so, and the run still ends with the uninterrupted run's parameters.
   */
  @Test
  void corruptNewestCheckpointFallsBackToThePreviousValidOne(@TempDir Path dir) throws Exception {
    ImageSet set = Reference.tinyImages();
    RunResult whole = run(config(5, ""), set);
    run(config(3, dir.toString()), set);
    Path newest = dir.resolve("checkpoint-3.rrck");
    byte[] bytes = Files.readAllBytes(newest);
    Files.write(newest, java.util.Arrays.copyOf(bytes, bytes.length / 2));
    RunResult rest = run(config(5, dir.toString()), set);
    assertThat(rest.steps()).as("resumed from checkpoint 2, not 3 nor from scratch").isEqualTo(3);
    assertThat(rest.finalParams()).containsExactly(whole.finalParams());
  }

  /** A shard plan follows the worker count: resuming with another count is refused. */
  @Test
  void resumingWithAnotherWorkerCountIsRefusedNamingBoth(@TempDir Path dir) {
    ImageSet set = Reference.tinyImages();
    run(config(2, dir.toString()), set);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                EmbeddedRun.run(
                    config(4, dir.toString()),
                    set,
                    Reference.NORM,
                    CoordinatorOptions.of("other", 3, ShardingMode.IMAGES)))
        .hasMessageContaining("--workers 2")
        .hasMessageContaining("--workers 3");
  }

  private static TrainConfig config(long maxSteps, String checkpointDir) {
    Map<String, String> keys = new HashMap<>(Reference.tinyConfig(maxSteps).asMap());
    keys.put("checkpoint-dir", checkpointDir);
    keys.put("checkpoint-every", "1");
    return TrainConfig.of(keys);
  }

  private static RunResult run(TrainConfig config, ImageSet set) {
    return EmbeddedRun.run(
        config,
        set,
        Reference.NORM,
        CoordinatorOptions.of(UUID.randomUUID().toString(), 2, ShardingMode.IMAGES));
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Three JVMs on 127.0.0.1: a coordinator checkpointing every step and two workers. The coordinator
 * is SIGKILLed after its checkpoint of step 2; a new coordinator JVM with the same checkpoint
 * directory resumes from the latest checkpoint, the same two worker processes notice on their own
 * and register again, and the run finishes with the parameters of an uninterrupted run.
 */
class CoordinatorRestartTest {
  private static final int STEPS = 40;

  @Test
  @Timeout(value = 420, unit = TimeUnit.SECONDS)
  void killedCoordinatorResumesFromItsCheckpointAndTheSameWorkersFinishTheRun(@TempDir Path ckpt)
      throws Exception {
    ClusterProcesses.requireData();
    Map<String, String> checkpoints =
        Map.of("checkpoint-dir", ckpt.toString(), "checkpoint-every", "1", "epochs", "4");
    try (ClusterProcesses jvms = new ClusterProcesses(STEPS, checkpoints)) {
      Map<String, String> cleanKeys = new HashMap<>(jvms.keys);
      cleanKeys.remove("checkpoint-dir");
      cleanKeys.remove("checkpoint-every");
      RunResult clean =
          ClusterProcesses.embedded(TrainConfig.of(cleanKeys), jvms.images(), ShardingMode.IMAGES);
      assertThat(clean.steps()).isEqualTo(STEPS);

      CheckpointStore store = new CheckpointStore(ckpt, 3);
      Process first = jvms.coordinator("coordinator-1", 2);
      Process w0 = jvms.worker("w0");
      Process w1 = jvms.worker("w1");
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (latestStep(store) < 2) {
        assertThat(first.isAlive()).as("first coordinator still running").isTrue();
        assertThat(System.nanoTime()).as("checkpoint of step 2 written").isLessThan(deadline);
        Thread.sleep(10);
      }
      first.destroyForcibly(); // SIGKILL
      assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      long killedAt = latestStep(store);
      assertThat(killedAt).as("killed before the end").isLessThan(STEPS);
      assertThat(w0.isAlive() && w1.isAlive()).as("workers outlive the coordinator").isTrue();

      Process second = jvms.coordinator("coordinator-2", 2);
      assertThat(second.waitFor(300, TimeUnit.SECONDS)).as("second coordinator finishes").isTrue();
      String log2 = Files.readString(ClusterProcesses.log("coordinator-2"));
      assertThat(second.exitValue()).as(log2).isZero();
      Matcher resumed = Pattern.compile("resumed from \\S+ at step (\\d+)").matcher(log2);
      assertThat(resumed.find()).as("second coordinator resumed from a checkpoint").isTrue();
      long from = Long.parseLong(resumed.group(1));
      assertThat(from).isEqualTo(killedAt);
      assertThat(log2).contains("steps " + (STEPS - from) + ",");

      for (Process w : new Process[] {w0, w1}) {
        assertThat(w.waitFor(60, TimeUnit.SECONDS)).as("worker ends with the run").isTrue();
        assertThat(w.exitValue()).isZero();
      }
      for (String id : new String[] {"w0", "w1"}) {
        assertThat(Files.readString(ClusterProcesses.log("worker-" + id)))
            .as("worker " + id + " registered again on its own")
            .contains("registering again")
            .contains("RUN_FINISHED");
      }
      Checkpoint last = CheckpointStore.load(store.latest().orElseThrow());
      assertThat(last.globalStep()).isEqualTo(STEPS);
      assertThat(last.params())
          .as("final parameters equal the uninterrupted run")
          .containsExactly(clean.finalParams());
    }
  }

  /**
   * The step of the latest checkpoint, -1 if none (a file rotated away mid-read counts as none).
   */
  private static long latestStep(CheckpointStore store) {
    try {
      var latest = store.latest();
      return latest.isEmpty() ? -1 : CheckpointStore.load(latest.get()).globalStep();
    } catch (java.io.IOException | RuntimeException e) {
      return -1;
    }
  }
}

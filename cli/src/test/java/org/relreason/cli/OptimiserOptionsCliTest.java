package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;

/** The optimiser options of #15 from the command line: recorded in the result and checkpoints. */
class OptimiserOptionsCliTest {

  @Test
  void theOptionsAreRecordedInTheResultAndTheCheckpointAndBadValuesAreNamed(@TempDir Path dir)
      throws Exception {
    JsonNode json =
        CliRun.trainTiny(
            dir,
            "options",
            "--m",
            "8",
            "--k",
            "3",
            "--lr-schedule",
            "cosine",
            "--warmup-steps",
            "1",
            "--weight-decay",
            "0.05",
            "--grad-clip",
            "1",
            "--checkpoint-dir",
            dir.resolve("ck").toString());
    JsonNode config = json.get("config");
    assertThat(config.get("lr-schedule").asText()).isEqualTo("cosine");
    assertThat(config.get("warmup-steps").asText()).isEqualTo("1");
    assertThat(config.get("weight-decay").asText()).isEqualTo("0.05");
    assertThat(config.get("grad-clip").asText()).isEqualTo("1.0");
    assertThat(json.get("final_loss").asDouble()).isFinite();
    Checkpoint c = CheckpointStore.load(dir.resolve("ck/checkpoint-3.rrck"));
    assertThat(c.config())
        .containsEntry("lr-schedule", "cosine")
        .containsEntry("warmup-steps", "1")
        .containsEntry("weight-decay", "0.05")
        .containsEntry("grad-clip", "1.0");
    assertThat(c.adam().steps()).isEqualTo(3);
    CliRun bad = CliRun.run("train", "--weight-decay", "-1");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("'weight-decay'").contains("'-1'").doesNotContain("\tat ");
    CliRun tooLong =
        CliRun.runWithoutFixedDashboard(
            "train",
            "--data-dir",
            CliRun.FMNIST,
            "--train-limit",
            "64",
            "--m",
            "8",
            "--max-steps",
            "3",
            "--warmup-steps",
            "10");
    assertThat(tooLong.exit()).isNotZero();
    assertThat(tooLong.err()).contains("'warmup-steps'").contains("10").doesNotContain("\tat ");
  }
}

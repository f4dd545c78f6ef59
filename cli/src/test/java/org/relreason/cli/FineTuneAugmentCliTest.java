package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --protocol finetune --finetune-augment SPEC} (#15, item 7) from the command line. */
class FineTuneAugmentCliTest {

  @Test
  void theAugmentationIsValidatedAppliedAndRecordedInTheResult(@TempDir Path dir) throws Exception {
    CliRun.trainTiny(
        dir, "ft", "--m", "16", "--k", "2", "--checkpoint-dir", dir.resolve("ck").toString());
    String ck = dir.resolve("ck/checkpoint-3.rrck").toString();
    Path json = dir.resolve("finetune.json");
    CliRun r =
        CliRun.run(
            "eval",
            "--checkpoint",
            ck,
            "--protocol",
            "finetune",
            "--finetune-epochs",
            "1",
            "--finetune-augment",
            "authors,shear=5",
            "--eval-train-limit",
            "64",
            "--eval-test-limit",
            "32",
            "--result-file",
            json.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("fine-tune top-1");
    JsonNode result = new ObjectMapper().readTree(json.toFile());
    JsonNode aug = result.get("fine_tune_augmentation");
    assertThat(aug).as(result.toString()).isNotNull();
    assertThat(aug.get("flip").asDouble()).isEqualTo(0.5);
    assertThat(aug.get("shear").asDouble()).isEqualTo(5);
    // Fashion-MNIST: the authors define no erased area; CIFAR-10's 0.25 is taken
    assertThat(aug.get("erasing-area").asDouble()).isEqualTo(0.25);
    assertThat(result.get("fine_tune_top1").asDouble()).isBetween(0.0, 1.0);

    CliRun bad =
        CliRun.run(
            "eval",
            "--checkpoint",
            ck,
            "--protocol",
            "finetune",
            "--finetune-augment",
            "authors,erasing=1.5");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--finetune-augment: key 'erasing'").doesNotContain("\tat ");
    CliRun wrongProtocol =
        CliRun.run(
            "eval", "--checkpoint", ck, "--protocol", "retrieval", "--finetune-augment", "authors");
    assertThat(wrongProtocol.err()).contains("only the finetune and fractions protocols");
    CliRun noProtocol = CliRun.run("eval", "--checkpoint", ck, "--finetune-augment", "authors");
    assertThat(noProtocol.err()).contains("--finetune-augment: only valid with --protocol");
  }
}

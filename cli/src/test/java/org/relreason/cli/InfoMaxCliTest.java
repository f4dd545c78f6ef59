package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relreason.cli.CliRun.FMNIST;
import static org.relreason.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --method infomax} end to end on Fashion-MNIST (a tiny budget, as {@code MainTest}
 * runs the other baselines), its checkpoint evaluated, its refusal of a backbone without a local
 * map, and the relational ablation at the largest K the reviewers asked for (K = 32).
 */
class InfoMaxCliTest {
  /** {@link CliRun#trainTiny} with {@code --m m}; extra flags appended. */
  private static JsonNode trainTiny(Path dir, String name, String m, String... extra)
      throws Exception {
    List<String> all = new ArrayList<>(List.of("--m", m));
    all.addAll(List.of(extra));
    return CliRun.trainTiny(dir, name, all.toArray(String[]::new));
  }

  @Test
  void infomaxTrainsEndToEndAndItsCheckpointEvaluates(@TempDir Path dir) throws Exception {
    JsonNode json =
        trainTiny(
            dir,
            "infomax",
            "8",
            "--method",
            "infomax",
            "--checkpoint-dir",
            dir.resolve("ck").toString());
    assertThat(json.get("method").asText()).isEqualTo("infomax");
    assertThat(json.get("config").get("method").asText()).isEqualTo("infomax");
    assertThat(json.get("steps").asLong()).isEqualTo(3);
    // the loss is the local term plus the prior term: near 2 log 2 + 0.1 · 2 log 2 at the start
    assertThat(json.get("final_loss").asDouble()).isBetween(1.0, 2.0);
    assertThat(json.get("final_positive_accuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.get("final_negative_accuracy").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.get("linear_top1").asDouble()).isBetween(0.0, 1.0);
    assertThat(json.get("knn_top1").asDouble()).isGreaterThan(MainTest.KNN_ABOVE_CHANCE);
    CliRun eval = CliRun.evalTiny(dir.resolve("ck/checkpoint-3.rrck"), 200);
    assertThat(eval.exit()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("step 3").contains("linear top-1");
  }

  @Test
  void infomaxVariantKeysReachTheModelAndTheResult(@TempDir Path dir) throws Exception {
    JsonNode json =
        trainTiny(
            dir,
            "infomax-variant",
            "8",
            "--method",
            "infomax",
            "--infomax-local-block",
            "3",
            "--infomax-prior",
            "none");
    assertThat(json.get("config").get("infomax-local-block").asText()).isEqualTo("3");
    assertThat(json.get("config").get("infomax-prior").asText()).isEqualTo("none");
    // without the prior term the loss is the local term alone: near 2 log 2 at the start
    assertThat(json.get("final_loss").asDouble()).isBetween(1.0, 1.6);
    assertThat(json.get("steps").asLong()).isEqualTo(3);
  }

  @Test
  void infomaxRefusesALocalMapTheBackboneDoesNotHaveOrAnotherMethod() {
    CliRun r =
        run(
            "train",
            "--data-dir",
            FMNIST,
            "--method",
            "infomax",
            "--infomax-local-block",
            "5",
            "--max-steps",
            "1",
            "--dashboard-port",
            "0");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err()).contains("'infomax-local-block'").contains("'5'").doesNotContain("\tat ");
    CliRun other =
        run(
            "train",
            "--data-dir",
            FMNIST,
            "--method",
            "simclr",
            "--infomax-prior",
            "joint",
            "--max-steps",
            "1",
            "--dashboard-port",
            "0");
    assertThat(other.exit()).isNotZero();
    assertThat(other.err())
        .contains("'infomax-prior'")
        .contains("'simclr'")
        .doesNotContain("\tat ");
  }

  @Test
  void infomaxRefusesABackboneWithoutALocalMapNamingBothKeys() {
    CliRun r =
        run(
            "train",
            "--data-dir",
            FMNIST,
            "--method",
            "infomax",
            "--backbone",
            "resnet8",
            "--train-limit",
            "64",
            "--max-steps",
            "1",
            "--m",
            "8",
            "--dashboard-port",
            "0");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err())
        .contains("'method'")
        .contains("'backbone'")
        .contains("'infomax'")
        .contains("'resnet8'")
        .contains("conv4")
        .doesNotContain("\tat ");
  }

  @Test
  void relationalReasoningTrainsAtKEqualTo32(@TempDir Path dir) throws Exception {
    JsonNode json = trainTiny(dir, "k32", "2", "--k", "32");
    assertThat(json.get("config").get("k").asText()).isEqualTo("32");
    assertThat(json.get("steps").asLong()).isEqualTo(3);
    assertThat(json.get("final_loss").asDouble()).isFinite();
    // 2 images × 32 views per step
    assertThat(json.get("views_per_second").asDouble()).isPositive();
  }
}

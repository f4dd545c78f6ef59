package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relreason.cli.CliRun.FMNIST;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code benchmark} end to end on real Fashion-MNIST with a budget of seconds. */
class BenchmarkCommandTest {
  private static CliRun run(String... args) {
    return CliRun.runWithoutFixedDashboard(args);
  }

  private static final String[] TINY = {
    "--set", "data-dir=" + FMNIST,
    "--set", "max-steps=3",
    "--set", "m=16",
    "--set", "train-limit=256",
    "--set", "eval-train-limit=300",
    "--set", "eval-test-limit=200",
    "--set", "linear-epochs=3",
    "--set", "knn-k=10"
  };

  private static String[] args(Path out, String... head) {
    List<String> a = new ArrayList<>(List.of("benchmark"));
    a.addAll(List.of(head));
    a.addAll(List.of(TINY));
    a.addAll(List.of("--out", out.toString()));
    return a.toArray(String[]::new);
  }

  @Test
  void badGridsAreOneLineNamingKeyAndValue(@TempDir Path dir) {
    CliRun m = run("benchmark", "--methods", "relational,simclrr", "--out", dir.toString());
    assertThat(m.exit()).isEqualTo(2);
    assertThat(m.err())
        .contains("grid key 'methods': value 'simclrr' is invalid")
        .doesNotContain("\tat ");
    assertThat(run("benchmark", "--methods", "random", "--set", "k=1").err())
        .contains("config key 'k': value '1' is invalid");
    assertThat(run("benchmark", "--methods", "random", "--set", "k").err())
        .contains("--set 'k': expected KEY=VALUE");
    assertThat(run("benchmark", "--methods", "random", "--seeds", "1,x").err())
        .contains("grid key 'seeds': value 'x'");
    assertThat(run("benchmark", "--methods", "random", "--set", "seed=4").err())
        .contains("setting 'seed=4' is not allowed");
    assertThat(dir.resolve("results.json")).doesNotExist();
  }

  @Test
  void twoMethodsTwoSeedsEndToEndThenAResumeRecomputesNothing(@TempDir Path dir) throws Exception {
    assertThat(Files.isDirectory(Path.of(FMNIST))).as("Fashion-MNIST in " + FMNIST).isTrue();
    Path out = dir.resolve("bench");
    CliRun first = run(args(out, "--methods", "random,supervised", "--seeds", "1,2"));
    assertThat(first.exit()).as(first.err()).isZero();
    assertThat(first.out())
        .contains("cell 1/4 random-conv4-fashion-mnist-s1: linear top-1 ")
        .contains("cell 4/4 supervised-conv4-fashion-mnist-s2: linear top-1 ")
        .contains("4 cells (4 computed, 0 reused, 0 failed)");
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("cells")).hasSize(4);
    for (JsonNode c : json.get("cells")) {
      assertThat(c.get("status").asText()).isEqualTo("done");
      double top1 = c.get("metrics").get("linear_top1").asDouble();
      assertThat(top1).isBetween(0.05, 1.0);
    }
    assertThat(json.get("cells").get(1).get("steps").asLong()).isEqualTo(3);
    assertThat(json.get("aggregates").get(0).get("n").asInt()).isEqualTo(2);
    String md = Files.readString(out.resolve("results.md"));
    assertThat(md)
        .contains("- command: `relreason benchmark --methods random,supervised --seeds 1,2 --set")
        .contains("| method | fashion-mnist, conv4 | paper |")
        .containsPattern("\\| random \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d \\(n=2\\) \\| – \\|")
        .containsPattern("\\| supervised \\| \\d+\\.\\d\\d ± \\d+\\.\\d\\d \\(n=2\\) \\| – \\|");
    Path cell = out.resolve("cells/supervised-conv4-fashion-mnist-s2");
    assertThat(cell.resolve("config.json")).exists();
    assertThat(cell.resolve("train-result.json")).exists();
    assertThat(cell.resolve("checkpoints/checkpoint-3.rrck")).exists();
    FileTime stamp = Files.getLastModifiedTime(cell.resolve("result.json"));

    CliRun second = run(args(out, "--methods", "random,supervised", "--seeds", "1,2"));
    assertThat(second.exit()).isZero();
    assertThat(second.out().split("finished earlier: not recomputed", -1)).hasSize(5);
    assertThat(second.out()).contains("4 cells (0 computed, 4 reused, 0 failed)");
    assertThat(Files.getLastModifiedTime(cell.resolve("result.json"))).isEqualTo(stamp);

    // a changed setting is refused naming the cell and the key, before anything runs
    List<String> changed =
        new ArrayList<>(List.of(args(out, "--methods", "random", "--seeds", "1")));
    changed.addAll(List.of("--set", "max-steps=4"));
    CliRun refused = run(changed.toArray(String[]::new));
    assertThat(refused.exit()).isEqualTo(2);
    assertThat(refused.err())
        .contains("cell random-conv4-fashion-mnist-s1")
        .contains("'max-steps' saved 3, requested 4");
  }

  @Test
  void aFailingCellIsReportedAndTheGridGoesOn(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bench");
    // the Fashion-MNIST directory has no CIFAR-10 files: that cell fails, the one after it runs
    CliRun r = run(args(out, "--methods", "random", "--datasets", "cifar10,fashion-mnist"));
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.out())
        .contains("cell 1/2 random-conv4-cifar10-s1: FAILED: ")
        .contains("cifar-10-batches-bin")
        .contains("cell 2/2 random-conv4-fashion-mnist-s1: linear top-1 ")
        .contains("2 cells (2 computed, 0 reused, 1 failed)");
    String md = Files.readString(out.resolve("results.md"));
    assertThat(md)
        .contains("| method | cifar10, conv4 | paper | fashion-mnist, conv4 | paper |")
        .containsPattern(
            "\\| random \\| failed \\(1\\) \\| – \\| \\d+\\.\\d\\d \\(n=1\\) \\| – \\|")
        .contains("| random-conv4-cifar10-s1 | failed |");
  }

  @Test
  void workersArePassedToEachCellsEmbeddedParameterServer(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("bench");
    CliRun r = run(args(out, "--methods", "relational", "--set", "workers=1"));
    // (a method the parameter server refuses fails its cell with the refusal, like any error)
    assertThat(r.exit()).as(r.out() + r.err()).isZero();
    JsonNode trained =
        new ObjectMapper()
            .readTree(
                out.resolve("cells/relational-conv4-fashion-mnist-s1/train-result.json").toFile());
    assertThat(trained.get("config").get("workers").asText()).isEqualTo("1");
    assertThat(trained.get("steps").asLong()).isEqualTo(3);
    // the single-process trainer reports its step phases; the parameter server's pretrainer
    // reports none (its coordinator times shards instead)
    assertThat(trained.get("phase_seconds").size()).isZero();
  }
}

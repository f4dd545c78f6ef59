package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relreason.cli.CliRun.FMNIST;
import static org.relreason.cli.CliRun.run;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code eval --protocol}: a tiny real checkpoint through the protocols, and the flag checks. */
class EvalProtocolCommandTest {
  @TempDir static Path dir;
  private static Path checkpoint;

  @BeforeAll
  static void trainTinyCheckpoint() {
    CliRun r =
        run(
            "train",
            "--data-dir",
            FMNIST,
            "--max-steps",
            "2",
            "--m",
            "8",
            "--k",
            "2",
            "--width",
            "0.5",
            "--train-limit",
            "64",
            "--eval-train-limit",
            "200",
            "--eval-test-limit",
            "60",
            "--linear-epochs",
            "1",
            "--knn-k",
            "10",
            "--checkpoint-dir",
            dir.resolve("ck").toString(),
            "--dashboard-port",
            "0");
    assertThat(r.exit()).as(r.err()).isZero();
    checkpoint = dir.resolve("ck/checkpoint-2.rrck");
  }

  private static CliRun eval(String... extra) {
    String[] base = {"eval", "--checkpoint", checkpoint.toString()};
    String[] all = new String[base.length + extra.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return run(all);
  }

  @Test
  void retrievalWritesItsJsonAndPicture() throws Exception {
    Path json = dir.resolve("retrieval.json");
    Path png = dir.resolve("retrieval.png");
    CliRun r =
        eval(
            "--protocol",
            "retrieval",
            "--picture",
            png.toString(),
            "--result-file",
            json.toString(),
            "--picture-queries",
            "3");
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("protocol retrieval").contains("top-10 precision");
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertThat(j.get("protocol").asText()).isEqualTo("retrieval");
    assertThat(j.get("train_images").asInt()).isEqualTo(200);
    assertThat(j.get("precision_at_k").asDouble()).isBetween(0.0, 1.0);
    assertThat(ImageIO.read(png.toFile()).getHeight()).isEqualTo(3 * 74 + 4);
  }

  @Test
  void fractionsGiveOneResultPerFraction() throws Exception {
    Path json = dir.resolve("fractions.json");
    CliRun r =
        eval("--protocol", "fractions", "--fractions", "0.1,1", "--result-file", json.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode f = new ObjectMapper().readTree(json.toFile()).get("fractions");
    assertThat(f).hasSize(2);
    assertThat(f.get(0).get("labels").asInt()).isLessThan(f.get(1).get("labels").asInt());
    assertThat(f.get(1).get("labels").asInt()).isEqualTo(200);
  }

  @Test
  void probeFlagChoosesTheClassifierOnTheFrozenFeatures() throws Exception {
    CliRun lbfgs = eval("--probe", "lbfgs");
    assertThat(lbfgs.exit()).as(lbfgs.err()).isZero();
    assertThat(lbfgs.out()).contains("lbfgs probe top-1 0.");
    CliRun adam = eval("--linear-epochs", "2");
    assertThat(adam.out()).contains("linear top-1 0.");
    Path json = dir.resolve("linear-lbfgs.json");
    CliRun protocol =
        eval("--protocol", "linear", "--probe", "lbfgs", "--result-file", json.toString());
    assertThat(protocol.exit()).as(protocol.err()).isZero();
    assertThat(new ObjectMapper().readTree(json.toFile()).get("linear_top1").asDouble())
        .isBetween(0.1, 1.0);
    assertThat(eval("--probe", "newton").err()).contains("'probe'").contains("lbfgs, adam");
  }

  @Test
  void probeLayersAllProbesEveryBlockOfConv4() throws Exception {
    CliRun r = eval("--probe-layers", "all", "--linear-epochs", "2");
    assertThat(r.exit()).as(r.err()).isZero();
    // width 0.5: Conv-4's blocks have 4, 8, 16, 32 channels
    assertThat(r.out())
        .contains("block 1 (block1_relu, 4 features): linear top-1 0.")
        .contains("block 2 (block2_relu, 8 features)")
        .contains("block 3 (block3_relu, 16 features)")
        .contains("block 4 (block4_relu, 32 features)")
        .doesNotContain("block 5");
    assertThat(eval("--protocol", "linear", "--probe-layers", "all").err())
        .contains("--probe-layers all: only without --protocol");
  }

  @Test
  void trainWritesEachLayersProbeIntoItsResult() throws Exception {
    Path json = dir.resolve("layers.json");
    CliRun r =
        run(
            "train",
            "--data-dir",
            FMNIST,
            "--method",
            "random",
            "--backbone",
            "resnet8",
            "--width",
            "0.5",
            "--eval-train-limit",
            "120",
            "--eval-test-limit",
            "40",
            "--linear-epochs",
            "2",
            "--probe",
            "lbfgs",
            "--probe-layers",
            "all",
            "--knn-k",
            "10",
            "--result-file",
            json.toString(),
            "--dashboard-port",
            "0");
    assertThat(r.exit()).as(r.err()).isZero();
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertThat(j.get("linear").get("probe").asText()).isEqualTo("lbfgs");
    assertThat(j.get("linear").get("l2").asDouble()).isPositive();
    assertThat(j.get("linear").get("l2_search")).hasSize(6);
    JsonNode layers = j.get("layers");
    assertThat(layers).hasSize(3);
    for (int s = 0; s < 3; s++) {
      // ResNet-8 at width 0.5: stages of 8, 16, 32 channels
      assertThat(layers.get(s).get("layer").asInt()).isEqualTo(s + 1);
      assertThat(layers.get(s).get("name").asText()).isEqualTo("stage" + (s + 1) + "_block1_relu");
      assertThat(layers.get(s).get("feature_size").asInt()).isEqualTo(8 << s);
      assertThat(layers.get(s).get("result").get("test_top1").asDouble()).isBetween(0.0, 1.0);
    }
    // the last stage is the backbone's feature vector (read by two paths that agree to ~1e-6):
    // the same probe on it may differ by at most one of the 40 test images
    assertThat(layers.get(2).get("result").get("test_top1").asDouble())
        .isCloseTo(j.get("linear_top1").asDouble(), org.assertj.core.api.Assertions.within(0.0251));
  }

  @Test
  void badFlagsAreNamed() throws Exception {
    assertThat(eval("--protocol", "bogus").err()).contains("--protocol").contains("retrieval");
    assertThat(eval("--picture", "x.png").err()).contains("--picture: only valid with --protocol");
    assertThat(eval("--protocol", "transfer").err())
        .contains("--dataset")
        .contains("fashion-mnist");
    assertThat(eval("--protocol", "retrieval", "--retrieval-k", "0").err())
        .contains("--retrieval-k must be >= 1");
    assertThat(eval("--protocol", "fractions", "--fractions", "0.1,2").err())
        .contains("--fractions")
        .contains("2.0");
    assertThat(eval("--protocol", "linear", "--picture", "x.png").err())
        .contains("--picture: only the retrieval and embedding");
    assertThat(eval("--protocol", "embedding", "--tsne-iterations", "abc").err())
        .contains("--tsne-iterations must be an integer, got 'abc'");
    assertThat(eval("--protocol", "transfer", "--dataset", "imagenet").err())
        .contains("--dataset")
        .contains("unknown dataset 'imagenet'");
  }

  @Test
  void transferRefusesStl10ImagesForAFashionMnistBackbone() throws Exception {
    // STL-10's official binary layout: 3x96x96 bytes per image, labels 1..10
    Path stl = Files.createDirectories(dir.resolve("stl/stl10_binary"));
    int n = 4;
    Files.write(stl.resolve("train_X.bin"), new byte[n * 3 * 96 * 96]);
    Files.write(stl.resolve("train_y.bin"), new byte[] {1, 2, 3, 4});
    Files.write(stl.resolve("test_X.bin"), new byte[n * 3 * 96 * 96]);
    Files.write(stl.resolve("test_y.bin"), new byte[] {1, 2, 3, 4});
    CliRun r =
        eval(
            "--protocol",
            "transfer",
            "--dataset",
            "stl10",
            "--data-dir",
            dir.resolve("stl").toString());
    assertThat(r.exit()).isNotZero();
    assertThat(r.err())
        .contains("pre-trained on fashion-mnist (3x32x32 images)")
        .contains("cannot take stl10's 3x96x96 images");
  }
}

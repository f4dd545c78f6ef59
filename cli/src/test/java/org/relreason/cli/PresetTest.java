package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.nn.BackboneKind;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** {@code train --preset NAME} and {@code relreason presets} (#15, item 5). */
class PresetTest {

  private static TrainConfig resolve(Path configFile, String... trainArgs) throws Exception {
    CommandLine cl = Main.commandLine();
    String[] args = new String[trainArgs.length + 1];
    args[0] = "train";
    System.arraycopy(trainArgs, 0, args, 1, trainArgs.length);
    ParseResult train = cl.parseArgs(args).subcommand();
    String preset = train.matchedOptionValue("--preset", null);
    return ConfigOptions.resolve(train, configFile, preset);
  }

  @Test
  void everyPresetIsAValidConfigWithThePapersSettings() {
    for (Preset p : Preset.ALL) {
      TrainConfig c = TrainConfig.of(p.values());
      assertThat(c.m()).as(p.name()).isEqualTo(64);
      assertThat(c.learningRate()).as(p.name()).isEqualTo(1e-3);
      assertThat(p.source()).as(p.name()).isNotBlank();
    }
    TrainConfig c10 = TrainConfig.of(Preset.named("cifar10-resnet32").values());
    assertThat(c10.dataset()).isEqualTo("cifar10");
    assertThat(c10.backbone()).isEqualTo(BackboneKind.RESNET32);
    assertThat(c10.k()).isEqualTo(32);
    assertThat(c10.epochs()).isEqualTo(200);
    assertThat(c10.linearEpochs()).isEqualTo(100);
    assertThat(c10.focalGamma()).isEqualTo(2);
    TrainConfig tiny = TrainConfig.of(Preset.named("tiny-imagenet-resnet32").values());
    assertThat(tiny.k()).isEqualTo(16);
    TrainConfig stl = TrainConfig.of(Preset.named("stl10-resnet34").values());
    assertThat(stl.backbone()).isEqualTo(BackboneKind.RESNET34);
    assertThat(stl.k()).isEqualTo(25);
    assertThat(stl.epochs()).isEqualTo(300);
    // the Fashion-MNIST preset is the defaults of train
    assertThat(TrainConfig.of(Preset.named("fashion-mnist").values()))
        .isEqualTo(TrainConfig.defaults());
    assertThat(Preset.ALL.stream().map(Preset::name).distinct()).hasSize(Preset.ALL.size());
  }

  @Test
  void theFileOverridesThePresetAndFlagsOverrideBoth(@TempDir Path dir) throws Exception {
    TrainConfig plain = resolve(null, "--preset", "cifar100-conv4");
    assertThat(plain.dataset()).isEqualTo("cifar100");
    assertThat(plain.k()).isEqualTo(32);
    TrainConfig flags = resolve(null, "--preset", "cifar100-conv4", "--k", "8", "--epochs", "3");
    assertThat(flags.k()).isEqualTo(8);
    assertThat(flags.epochs()).isEqualTo(3);
    assertThat(flags.dataset()).isEqualTo("cifar100");
    assertThat(flags.m()).isEqualTo(64);
    Path file = dir.resolve("c.json");
    Files.writeString(file, "{\"k\": 6, \"m\": 32}");
    TrainConfig both = resolve(file, "--preset", "cifar100-conv4", "--m", "16");
    assertThat(both.k()).isEqualTo(6);
    assertThat(both.m()).isEqualTo(16);
    assertThat(both.epochs()).isEqualTo(200);
  }

  @Test
  void anUnknownPresetIsRefusedWithTheNames() {
    assertThatThrownBy(() -> Preset.named("cifar10"))
        .hasMessageContaining("unknown preset 'cifar10'")
        .hasMessageContaining("cifar10-conv4")
        .hasMessageContaining("stl10-resnet34");
    CliRun r = CliRun.run("train", "--preset", "nope", "--dashboard-port", "0");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.err())
        .contains("relreason: unknown preset 'nope'")
        .contains("tiny-imagenet-resnet32")
        .doesNotContain("\tat ");
  }

  @Test
  void theListingEstimatesFromMeasuredBenchFigures(@TempDir Path dir) throws Exception {
    CliRun r = CliRun.run("presets");
    assertThat(r.exit()).isZero();
    for (Preset p : Preset.ALL) {
      assertThat(r.out()).contains(p.name() + ": ");
    }
    // fashion-mnist: 937 steps x 64 x 4 views at the measured 3,332 views/s = 72 s
    assertThat(r.out())
        .contains("937 steps, 240k views; estimated 72 s at 3,332.0 views/s (conv4 K=4 M=64")
        .contains("paper, Table 1 (46.17%)")
        .contains("--k 32");
    Path bench = dir.resolve("bench.txt");
    Files.writeString(
        bench,
        "# ND4J backend=...\n"
            + "bench backbone=conv4 K=32 M=64 views_per_s=1000.0 step_s=2.0 augment_s=0.1\n"
            + "bench backbone=conv4 K=16 M=64 views=augmented views_per_s=1500.0 step_s=0.7\n"
            + "bench backbone=conv4 K=16 M=64 views=fixed views_per_s=1900.0 step_s=0.5\n");
    List<BenchFigures> mine = BenchFigures.read(bench);
    // an older line without views= and an augmented one; the fixed-views line is not what a run
    // takes (it skips building the views) and is left out
    assertThat(mine)
        .extracting(BenchFigures::k, BenchFigures::viewsPerSecond)
        .containsExactly(tuple(32, 1000.0), tuple(16, 1500.0));
    String est =
        PresetsCommand.estimate(Preset.named("cifar10-conv4"), TrainConfig.defaults(), mine);
    // 200 epochs x 781 steps x 64 x 32 views / 1000 views/s = 319,897.6 s = 3.7 days
    assertThat(est)
        .contains("156,200 steps, 319.9M views; estimated 3.7 days at 1,000.0 views/s")
        .contains("this machine");
    assertThat(
            PresetsCommand.estimate(Preset.named("cifar10-resnet8"), TrainConfig.defaults(), mine))
        .contains("no bench figure for resnet8 K=32");
  }
}

package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.nn.BackboneKind;

class GridSpecTest {

  private static void refused(
      Map<String, String> lists, Map<String, String> settings, String... parts) {
    assertThatThrownBy(() -> GridSpec.of(lists, settings))
        .isInstanceOf(ConfigException.class)
        .message()
        .contains(parts);
  }

  @Test
  void badListValuesAreRefusedNamingKeyAndValue() {
    refused(
        Map.of("methods", "relational,simclrr"),
        Map.of(),
        "grid key 'methods'",
        "value 'simclrr'",
        "supervised");
    refused(
        Map.of("methods", "random", "backbones", "vgg"),
        Map.of(),
        "grid key 'backbones'",
        "value 'vgg'",
        "conv4");
    refused(
        Map.of("methods", "random", "datasets", "imagenet"),
        Map.of(),
        "grid key 'datasets'",
        "value 'imagenet'",
        "fashion-mnist");
    refused(
        Map.of("methods", "random", "seeds", "1,two"),
        Map.of(),
        "grid key 'seeds'",
        "value 'two'",
        "not an integer");
    refused(
        Map.of("methods", "random", "seeds", "1,,2"), Map.of(), "grid key 'seeds'", "empty item");
    refused(
        Map.of("methods", "random", "seeds", "1,2,1"),
        Map.of(),
        "grid key 'seeds'",
        "value '1'",
        "twice");
    refused(
        Map.of("methods", "random", "protocols", "transfer"),
        Map.of(),
        "grid key 'protocols'",
        "value 'transfer'",
        "known: linear");
    refused(Map.of(), Map.of(), "grid key 'methods' is required");
    refused(Map.of("method", "random"), Map.of(), "unknown grid key 'method'", "methods");
  }

  @Test
  void badSettingsAreRefusedNamingKeyAndValue() {
    Map<String, String> ok = Map.of("methods", "random");
    refused(ok, Map.of("k", "1"), "config key 'k'", "value '1'", "[2, 64]");
    refused(ok, Map.of("max-stepz", "3"), "unknown config key 'max-stepz'");
    refused(ok, Map.of("seed", "3"), "setting 'seed=3'", "use seeds");
    refused(ok, Map.of("method", "simclr"), "setting 'method=simclr'", "use methods");
    refused(ok, Map.of("checkpoint-dir", "/x"), "setting 'checkpoint-dir=/x'", "checkpoints");
  }

  @Test
  void cellsAreSeedMajorAndCarryTheSharedSettings(@TempDir Path dir) {
    GridSpec g =
        GridSpec.of(
            Map.of("methods", "random,supervised", "seeds", "3,1"),
            Map.of("max-steps", "7", "workers", "2"));
    List<Cell> cells = g.cells();
    assertThat(cells)
        .extracting(Cell::name)
        .containsExactly(
            "random-conv4-fashion-mnist-s3",
            "supervised-conv4-fashion-mnist-s3",
            "random-conv4-fashion-mnist-s1",
            "supervised-conv4-fashion-mnist-s1");
    TrainConfig c = g.config(cells.get(1), dir.resolve("cell"));
    assertThat(c.method()).isEqualTo(MethodKind.SUPERVISED);
    assertThat(c.backbone()).isEqualTo(BackboneKind.CONV4);
    assertThat(c.seed()).isEqualTo(3);
    assertThat(c.maxSteps()).isEqualTo(7);
    assertThat(c.workers()).isEqualTo(2); // passed through: the parameter server decides
    assertThat(c.checkpointDir()).isEqualTo(dir.resolve("cell").resolve("checkpoints").toString());
    assertThat(c.checkpointEvery()).isEqualTo(100);
    assertThat(g.config(cells.get(0), dir).checkpointEvery()).isEqualTo(100);
    assertThat(
            GridSpec.of(Map.of("methods", "random"), Map.of("checkpoint-every", "5"))
                .config(cells.get(0), dir)
                .checkpointEvery())
        .isEqualTo(5);
  }

  @Test
  void aGridFileIsReadAndFlagsWin(@TempDir Path dir) throws Exception {
    Path f =
        Files.writeString(
            dir.resolve("grid.json"),
            """
            {"methods": ["relational", "supervised"], "backbones": "conv4", "seeds": [1, 2],
             "settings": {"max-steps": 20, "with-random-baseline": true, "lr": "0.002"}}
            """);
    GridSpec g = GridSpec.read(f, Map.of("seeds", "5"), Map.of("lr", "0.003"));
    assertThat(g.methods()).containsExactly(MethodKind.RELATIONAL, MethodKind.SUPERVISED);
    assertThat(g.seeds()).containsExactly(5L);
    assertThat(g.protocols()).containsExactly("linear");
    assertThat(g.settings())
        .containsEntry("max-steps", "20")
        .containsEntry("with-random-baseline", "true")
        .containsEntry("lr", "0.003");

    Path bad =
        Files.writeString(
            dir.resolve("bad.json"), "{\"methods\": [\"random\"], \"settings\": {\"k\": 99}}");
    assertThatThrownBy(() -> GridSpec.read(bad, Map.of(), Map.of()))
        .hasMessageContaining("config key 'k'")
        .hasMessageContaining("value '99'");
    Path nested = Files.writeString(dir.resolve("nested.json"), "{\"methods\": [[\"random\"]]}");
    assertThatThrownBy(() -> GridSpec.read(nested, Map.of(), Map.of()))
        .hasMessageContaining("key 'methods'")
        .hasMessageContaining(nested.toString());
    assertThatThrownBy(() -> GridSpec.read(dir.resolve("none.json"), Map.of(), Map.of()))
        .hasMessageContaining("none.json does not exist");
  }
}

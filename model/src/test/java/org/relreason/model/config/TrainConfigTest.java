package org.relreason.model.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.BackboneKind;

class TrainConfigTest {

  @Test
  void defaultsAreThePapersSettings() {
    TrainConfig c = TrainConfig.defaults();
    assertThat(c.aggregation()).isEqualTo(Aggregation.CAT);
    assertThat(c.focalGamma()).isEqualTo(2.0);
    assertThat(c.focalAlpha()).isEqualTo(0.5);
    assertThat(c.learningRate()).isEqualTo(1e-3);
    assertThat(c.backbone()).isEqualTo(BackboneKind.CONV4);
    assertThat(c.dataDir()).isEqualTo("/usr/share/datasets/fashion-mnist");
    assertThat(TrainConfig.of(c.asMap())).isEqualTo(c);
  }

  @Test
  void methodAndHeadKeysDefaultToThePapersAndAreModelDefining() {
    TrainConfig c = TrainConfig.defaults();
    assertThat(c.method()).isEqualTo(org.relreason.model.config.MethodKind.RELATIONAL);
    assertThat(c.head()).isEqualTo(org.relreason.model.nn.HeadKind.MLP);
    TrainConfig s = TrainConfig.of(Map.of("method", "SimCLR", "head", "encoder-dot"));
    assertThat(s.method()).isEqualTo(org.relreason.model.config.MethodKind.SIMCLR);
    assertThat(s.head()).isEqualTo(org.relreason.model.nn.HeadKind.ENCODER_DOT);
    assertThat(TrainConfig.of(s.asMap())).isEqualTo(s);
    assertThat(s.modelDefiningKeys()).containsEntry("method", "simclr");
    assertThat(s.modelDefiningKeys()).containsEntry("head", "encoder-dot");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("method", "byol")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'method'")
        .hasMessageContaining("'byol'")
        .hasMessageContaining("relational, supervised, simclr, rotation, deepcluster");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("head", "cosine")))
        .hasMessageContaining("'head'")
        .hasMessageContaining("mlp, dot or encoder-dot");
  }

  @Test
  void probeDefaultsToThePapersAdamAndDoesNotDefineTheModel() {
    assertThat(TrainConfig.defaults().probe()).isEqualTo(org.relreason.model.config.ProbeKind.ADAM);
    TrainConfig l = TrainConfig.of(Map.of("probe", "lbfgs"));
    assertThat(l.probe()).isEqualTo(org.relreason.model.config.ProbeKind.LBFGS);
    assertThat(TrainConfig.of(l.asMap())).isEqualTo(l);
    // a probe is chosen at evaluation time: workers of any probe train the same network
    assertThat(l.modelDefiningKeys()).isEqualTo(TrainConfig.defaults().modelDefiningKeys());
    assertThatThrownBy(() -> TrainConfig.of(Map.of("probe", "newton")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'probe'")
        .hasMessageContaining("lbfgs, adam, sgd, mlp");
  }

  @Test
  void unknownKeysAndBadValuesAreRejectedNamingTheKey() {
    assertThatThrownBy(() -> TrainConfig.of(Map.of("views", "4")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown config key 'views'");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("k", "1")))
        .hasMessageContaining("'k'")
        .hasMessageContaining("'1'")
        .hasMessageContaining("[2, 64]");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("m", "1"))).hasMessageContaining("'m'");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("aggregation", "concat")))
        .hasMessageContaining("'aggregation'")
        .hasMessageContaining("cat, sum, mean, max");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("backbone", "vgg16")))
        .hasMessageContaining("'backbone'")
        .hasMessageContaining("conv4");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("lr", "fast")))
        .hasMessageContaining("not a number");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("with-random-baseline", "yes")))
        .hasMessageContaining("true or false");
  }

  @Test
  void optimiserOptionsDefaultToThePapersAreValidatedAndRecorded() {
    TrainConfig c = TrainConfig.defaults();
    assertThat(c.lrSchedule())
        .isEqualTo(org.relreason.model.config.LearningRateSchedule.Kind.CONSTANT);
    assertThat(c.warmupSteps()).isZero();
    assertThat(c.weightDecay()).isZero();
    assertThat(c.gradClip()).isZero();
    TrainConfig o =
        TrainConfig.of(
            Map.of(
                "lr-schedule",
                "cosine",
                "warmup-steps",
                "100",
                "weight-decay",
                "0.05",
                "grad-clip",
                "1.5"));
    assertThat(TrainConfig.of(o.asMap())).isEqualTo(o);
    // recorded wherever the config map goes (results, checkpoints) and part of the model's hash
    assertThat(o.modelDefiningKeys())
        .containsEntry("lr-schedule", "cosine")
        .containsEntry("warmup-steps", "100")
        .containsEntry("weight-decay", "0.05")
        .containsEntry("grad-clip", "1.5");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("lr-schedule", "step")))
        .hasMessageContaining("'lr-schedule'")
        .hasMessageContaining("constant or cosine");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("warmup-steps", "-1")))
        .hasMessageContaining("'warmup-steps'");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("weight-decay", "-0.1")))
        .hasMessageContaining("'weight-decay'");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("grad-clip", "inf")))
        .hasMessageContaining("'grad-clip'");
    // the supervised baseline has the paper's SGD schedule: Adam's options are refused
    assertThatThrownBy(() -> TrainConfig.of(Map.of("method", "supervised", "weight-decay", "0.1")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'weight-decay'")
        .hasMessageContaining("supervised");
    assertThat(TrainConfig.of(Map.of("method", "supervised", "grad-clip", "1")).gradClip())
        .isEqualTo(1.0);
  }

  @Test
  void infomaxKeysAreValidatedModelDefiningAndRefusedForOtherMethods() {
    TrainConfig d = TrainConfig.defaults();
    assertThat(d.infomaxLocalBlock()).isEqualTo(1);
    assertThat(d.infomaxPrior()).isEqualTo(InfoMaxPrior.ADVERSARIAL);
    TrainConfig c =
        TrainConfig.of(
            Map.of("method", "infomax", "infomax-local-block", "3", "infomax-prior", "Joint"));
    assertThat(c.infomaxLocalBlock()).isEqualTo(3);
    assertThat(c.infomaxPrior()).isEqualTo(InfoMaxPrior.JOINT);
    assertThat(TrainConfig.of(c.asMap())).isEqualTo(c);
    // they change the network a worker builds, so they are part of the model's hash
    assertThat(c.modelDefiningKeys())
        .containsEntry("infomax-local-block", "3")
        .containsEntry("infomax-prior", "joint");
    assertThat(TrainConfig.of(Map.of("method", "infomax", "infomax-prior", "none")).infomaxPrior())
        .isEqualTo(InfoMaxPrior.NONE);
    for (String bad : new String[] {"0", "5", "two"}) {
      assertThatThrownBy(
              () -> TrainConfig.of(Map.of("method", "infomax", "infomax-local-block", bad)))
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("'infomax-local-block'")
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(
            () -> TrainConfig.of(Map.of("method", "infomax", "infomax-prior", "reversed")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'infomax-prior'")
        .hasMessageContaining("joint, adversarial or none");
    // another method has no local map or prior to choose: a value there is a mistake
    assertThatThrownBy(() -> TrainConfig.of(Map.of("method", "simclr", "infomax-prior", "none")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'infomax-prior'")
        .hasMessageContaining("'simclr'");
    assertThatThrownBy(() -> TrainConfig.of(Map.of("infomax-local-block", "2")))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("'infomax-local-block'")
        .hasMessageContaining("'relational'");
  }

  @Test
  void readsAFlatJsonFileAndRejectsNesting(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("run.json");
    Files.writeString(f, "{\"k\": 8, \"aggregation\": \"max\", \"with-random-baseline\": true}");
    TrainConfig c = TrainConfig.of(TrainConfig.readFile(f));
    assertThat(c.k()).isEqualTo(8);
    assertThat(c.aggregation()).isEqualTo(Aggregation.MAX);
    assertThat(c.withRandomBaseline()).isTrue();
    Files.writeString(f, "{\"k\": {\"value\": 8}}");
    assertThatThrownBy(() -> TrainConfig.readFile(f))
        .hasMessageContaining("'k'")
        .hasMessageContaining(f.toString());
    Files.writeString(f, "{\"k\": 8");
    assertThatThrownBy(() -> TrainConfig.readFile(f)).hasMessageContaining("not valid JSON");
    assertThatThrownBy(() -> TrainConfig.readFile(dir.resolve("missing.json")))
        .hasMessageContaining("missing.json");
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.Optimizers;
import org.relreason.model.train.PretrainModel;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.shard.ShardComputer;

/** When the coordinator checkpoints and what it resumes from, without a cluster. */
class CheckpointerTest {
  private static final CoordinatorOptions OPTIONS =
      CoordinatorOptions.of("run", 2, ShardingMode.IMAGES);

  private static TrainConfig config(Path dir, int every, String width) {
    Map<String, String> keys = new HashMap<>(Reference.tinyConfig(10).asMap());
    keys.put("checkpoint-dir", dir.toString());
    keys.put("checkpoint-every", Integer.toString(every));
    keys.put("width", width);
    return TrainConfig.of(keys);
  }

  @Test
  void dueEveryNStepsAfterTheLastAndAfterAFailure(@TempDir Path dir) {
    Checkpointer c = new Checkpointer(config(dir, 4, "0.25"));
    assertThat(c.due(3, 3, 10)).isFalse();
    assertThat(c.due(4, 0, 10)).isTrue();
    assertThat(c.due(10, 2, 10)).isTrue();
    c.failed();
    assertThat(c.due(5, 1, 10)).isTrue();
    c.saved();
    assertThat(c.due(5, 1, 10)).isFalse();
  }

  @Test
  void withoutADirectoryNothingIsDueOrResumed() throws Exception {
    Checkpointer c = new Checkpointer(Reference.tinyConfig(10));
    assertThat(c.due(10, 0, 10)).isFalse();
    assertThat(c.resume(OPTIONS)).isEmpty();
  }

  @Test
  void resumesItsOwnRunAndRefusesAnothers(@TempDir Path dir) throws Exception {
    TrainConfig config = config(dir, 4, "0.25");
    PretrainModel model = ShardComputer.newModel(config, Reference.tinyImages());
    Checkpointer c = new Checkpointer(config);
    assertThat(c.resume(OPTIONS)).isEmpty();
    float[] params = model.paramsVector();
    var state = Optimizers.forRun(model, config, 10).state();
    c.save(new Checkpoint(config.asMap(), 0, 4, 4, params, state));
    var loaded = new Checkpointer(config).resume(OPTIONS);
    assertThat(loaded).isPresent();
    assertThat(loaded.get().checkpoint().globalStep()).isEqualTo(4);
    assertThat(loaded.get().checkpoint().params()).containsExactly(params);
    assertThatThrownBy(() -> new Checkpointer(config(dir, 4, "0.5")).resume(OPTIONS))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("belongs to another run");
  }
}

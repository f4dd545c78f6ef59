package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.Optimizers;
import org.relreason.model.train.PretrainModel;
import org.relreason.protocol.Headers;
import org.relreason.protocol.Tensors;
import org.relreason.shard.ShardComputer;

/** The master parameters and optimizer, without a cluster: a step is the optimizer's, exactly. */
class ParameterStoreTest {
  private static final TrainConfig CONFIG = Reference.tinyConfig(4);

  @Test
  void aStepIsTheOptimizersStepBitForBitAndTheModelFollows() {
    PretrainModel model = ShardComputer.newModel(CONFIG, Reference.tinyImages());
    ParameterStore store = new ParameterStore(model, Optimizers.forRun(model, CONFIG, 4));
    PretrainModel twin = ShardComputer.newModel(CONFIG, Reference.tinyImages());
    Optimizer reference = Optimizers.forRun(twin, CONFIG, 4);
    float[] expected = twin.paramsVector();
    assertThat(store.copy()).containsExactly(expected);
    SplittableRandom random = new SplittableRandom(3);
    for (int t = 0; t < 3; t++) {
      float[] g = new float[expected.length];
      for (int i = 0; i < g.length; i++) {
        g[i] = (float) (random.nextDouble() - 0.5) * 1e-2f;
      }
      store.step(g);
      reference.step(expected, g);
    }
    assertThat(store.copy()).containsExactly(expected);
    assertThat(model.paramsVector()).containsExactly(expected);
    assertThat(store.optimizerState()).usingRecursiveComparison().isEqualTo(reference.state());
  }

  @Test
  void copiesAreCopiesAndOnlyChangedParametersAreAdopted() {
    PretrainModel model = ShardComputer.newModel(CONFIG, Reference.tinyImages());
    ParameterStore store = new ParameterStore(model, Optimizers.forRun(model, CONFIG, 4));
    float[] copy = store.copy();
    copy[0] += 1;
    assertThat(store.copy()[0]).isNotEqualTo(copy[0]);
    assertThat(store.adopt(model.paramsVector())).isFalse();
    assertThat(store.adopt(copy)).isTrue();
    var snapshot = store.snapshot(Headers.of("run", 2, 3, "coordinator"), "hash");
    assertThat(snapshot.getHeader().getParamVersion()).isEqualTo(3);
    assertThat(Tensors.toFloats(snapshot.getParams(), "params")).containsExactly(copy);
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.method.Methods;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.shard.ModelConfigHash;
import org.relreason.shard.ShardComputer;

/**
 * What the parameter server trains (relational reasoning with any head; the supervised, SimCLR,
 * RotationNet and DeepCluster baselines in images sharding), how it weights their shards, and how
 * it refuses the rest, naming the config key and value.
 */
class MethodSupportTest {
  private static final ImageSet LABELED = MethodReference.tinyLabeledImages();

  private static TrainConfig with(String key, String value) {
    Map<String, String> keys = new HashMap<>(Reference.tinyConfig(1).asMap());
    keys.put(key, value);
    return TrainConfig.of(keys);
  }

  private static CoordinatorVerticle coordinator(TrainConfig config, ShardingMode mode) {
    return new CoordinatorVerticle(CoordinatorOptions.of("run", 2, mode), config, LABELED);
  }

  @Test
  void theBaselinesAndHeadAblationsAreAcceptedInImagesMode() {
    for (String method :
        new String[] {"relational", "supervised", "simclr", "rotation", "deepcluster"}) {
      coordinator(with("method", method), ShardingMode.IMAGES);
    }
    for (String head : new String[] {"mlp", "dot", "encoder-dot"}) {
      coordinator(with("head", head), ShardingMode.IMAGES);
      coordinator(with("head", head), ShardingMode.VIEWS);
    }
  }

  @Test
  void randomAndInfomaxAreRefusedNamingTheKeyAndValue() {
    for (String method : new String[] {"random", "infomax"}) {
      assertThatThrownBy(() -> coordinator(with("method", method), ShardingMode.IMAGES))
          .as(method)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("config key 'method'")
          .hasMessageContaining("'" + method + "'")
          .hasMessageContaining("--workers 0");
    }
    // a worker started with such a config refuses to build its replica, with the same message
    assertThatThrownBy(() -> new ShardComputer(with("method", "random"), LABELED, Reference.NORM))
        .hasMessageContaining("config key 'method': value 'random'");
    assertThatThrownBy(() -> coordinator(with("label-fraction", "0.5"), ShardingMode.IMAGES))
        .hasMessageContaining("config key 'label-fraction'");
  }

  @Test
  void viewsShardingIsRefusedForTheBaselinesNamingSharding() {
    for (String method : new String[] {"supervised", "simclr", "rotation", "deepcluster"}) {
      assertThatThrownBy(() -> coordinator(with("method", method), ShardingMode.VIEWS))
          .as(method)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("config key 'sharding': value 'views'")
          .hasMessageContaining("config key 'method' value '" + method + "'")
          .hasMessageContaining("--sharding images");
    }
  }

  @Test
  void eachMethodWeightsAShardByItsLossTerms() {
    // K=3: relational reasoning has K(K-1) = 6 pairs per image
    Map<String, Long> perImage =
        Map.of("relational", 6L, "supervised", 1L, "simclr", 2L, "rotation", 4L, "deepcluster", 1L);
    perImage.forEach(
        (method, terms) ->
            assertThat(Methods.build(with("method", method), LABELED).lossTerms(3))
                .as(method)
                .isEqualTo(3 * terms));
  }

  @Test
  void theConfigHashWorkersMustMatchCoversMethodAndHead() {
    String base = ModelConfigHash.of(Reference.tinyConfig(1));
    assertThat(ModelConfigHash.of(with("method", "simclr"))).isNotEqualTo(base);
    assertThat(ModelConfigHash.of(with("head", "dot"))).isNotEqualTo(base);
    assertThat(ModelConfigHash.of(with("head", "dot")))
        .isNotEqualTo(ModelConfigHash.of(with("head", "encoder-dot")));
    assertThat(ModelConfigHash.of(with("workers", "3"))).isEqualTo(base);
    assertThat(ModelConfigHash.of(with("width", "2"))).isNotEqualTo(base);
    assertThat(ModelConfigHash.of(with("representation-size", "32"))).isNotEqualTo(base);
    assertThat(ModelConfigHash.of(with("probe", "lbfgs"))).isEqualTo(base);
  }
}

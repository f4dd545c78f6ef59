package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;

/** The parameter server trains relational reasoning with the paper's head only, and says so. */
class MethodSupportTest {

  private static TrainConfig with(String key, String value) {
    Map<String, String> keys = new HashMap<>(Reference.tinyConfig(1).asMap());
    keys.put(key, value);
    return TrainConfig.of(keys);
  }

  @Test
  void otherMethodsAndHeadsAreRefusedNamingTheKeyAndValue() {
    assertThatThrownBy(
            () -> new CoordinatorVerticle(null, with("method", "simclr"), Reference.tinyImages()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("config key 'method'")
        .hasMessageContaining("'simclr'")
        .hasMessageContaining("--workers 0");
    assertThatThrownBy(
            () -> new CoordinatorVerticle(null, with("head", "dot"), Reference.tinyImages()))
        .hasMessageContaining("config key 'head'")
        .hasMessageContaining("'dot'");
  }
}

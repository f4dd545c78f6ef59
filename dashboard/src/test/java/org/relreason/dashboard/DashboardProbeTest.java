package org.relreason.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.relreason.model.train.TrainListener;

/**
 * The online probe's points reach the dashboard's state (its snapshot and its event stream) from
 * the trainer's listener and from the coordinator's observer alike.
 */
class DashboardProbeTest {
  @Test
  void probePointsAreKeptAndStreamed() {
    DashboardState state = new DashboardState(Map.of(), "fashion-mnist", "test");
    List<JsonObject> events = new ArrayList<>();
    state.subscribe(events::add);
    TrainListener fromTrainer = state.trainListener(true);
    fromTrainer.onProbe(10, 0.5);
    state.onProbe(20, 0.625);
    state.onEvaluation("probe_knn", "fashion-mnist", 0.625);
    JsonArray probes = state.snapshot().getJsonArray("probes");
    assertThat(probes).hasSize(2);
    assertThat(probes.getJsonObject(1).getLong("step")).isEqualTo(20);
    assertThat(probes.getJsonObject(1).getDouble("top1")).isEqualTo(0.625);
    assertThat(events.stream().filter(e -> "probe".equals(e.getString("type")))).hasSize(2);
    assertThat(state.snapshot().getJsonArray("evals").getJsonObject(0).getString("protocol"))
        .isEqualTo("probe_knn");
  }
}

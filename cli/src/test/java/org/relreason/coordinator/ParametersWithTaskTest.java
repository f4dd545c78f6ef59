package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic;
import org.relreason.observe.WorkerObserver;
import org.relreason.protocol.v1.ShardingMode;

/**
 * The parameters travel with the task: one request/response per shard per step, no {@code
 * ParameterRequest} round trip (the coordinator sends no {@code PARAMETERS} reply at all), and the
 * result is still the single process's (DistributedEquivalenceTest checks the bits).
 */
class ParametersWithTaskTest {
  @ParameterizedTest
  @EnumSource(
      value = ShardingMode.class,
      names = {"IMAGES", "VIEWS"})
  void noWorkerPullsParameters(ShardingMode mode) {
    int steps = 3;
    int workers = 2;
    Map<String, LongAdder> sent = new ConcurrentHashMap<>();
    RunObserver counting =
        new RunObserver() {
          @Override
          public void onMessage(Traffic.Direction d, Traffic.Kind kind, long bytes) {
            if (d == Traffic.Direction.SENT) {
              sent.computeIfAbsent(kind.name(), k -> new LongAdder()).increment();
            }
          }
        };
    RunResult r =
        EmbeddedRun.run(
            Reference.tinyConfig(steps),
            Reference.tinyImages(),
            Reference.NORM,
            CoordinatorOptions.of(UUID.randomUUID().toString(), workers, mode),
            new TrainListener() {},
            new EmbeddedRun.Hooks(counting, WorkerObserver.NONE, c -> {}));
    assertThat(r.steps()).isEqualTo(steps);
    assertThat(sent).doesNotContainKey(Traffic.Kind.PARAMETERS.name());
    assertThat(sent.get(Traffic.Kind.TASK.name()).sum()).isEqualTo((long) steps * workers);
  }
}

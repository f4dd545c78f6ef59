package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic;
import org.relreason.observe.WorkerObserver;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

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

  /**
   * A worker given both shards of a step (its peer left at step 1) gets the parameters with the
   * first task only; the second task, arriving while they are being installed, waits for that
   * install instead of asking for them. It used to ask, which cost a transfer of the whole model
   * and, in a cluster, a first lookup of the parameter address that stalls for as long as a
   * Hazelcast member is unreachable (NetnsPartitionTest's cut-off worker).
   */
  @Test
  void aWorkerGivenTwoShardsOfAStepAsksForNoParameters() {
    int steps = 4;
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx);
      AtomicInteger requests = new AtomicInteger();
      List<String> ids = new ArrayList<>();
      AtomicBoolean left = new AtomicBoolean();
      vertx
          .eventBus()
          .addOutboundInterceptor(
              dc -> {
                dc.next();
                String address = dc.message().address();
                if (address.equals(Addresses.COORDINATOR_PARAMS)) {
                  requests.incrementAndGet();
                } else if (address.equals(Addresses.workerTask("w1"))
                    && dc.body() instanceof ShardTask t
                    && t.getHeader().getStep() == 1
                    && left.compareAndSet(false, true)) {
                  vertx.undeploy(ids.get(1));
                }
              });
      CoordinatorVerticle coordinator =
          new CoordinatorVerticle(
              CoordinatorOptions.of(UUID.randomUUID().toString(), 2, ShardingMode.IMAGES)
                  .withDeadlineMs(1500),
              Reference.tinyConfig(steps),
              Reference.tinyImages());
      vertx.deployVerticle(coordinator).await();
      for (String w : List.of("w0", "w1")) {
        ids.add(
            vertx
                .deployVerticle(
                    new WorkerVerticle(
                        WorkerOptions.of(w),
                        Reference.tinyConfig(steps),
                        Reference.tinyImages(),
                        Reference.NORM))
                .await());
      }
      RunResult r = coordinator.result().await();
      assertThat(left).isTrue();
      assertThat(r.steps()).isEqualTo(steps);
      assertThat(requests).as("ParameterRequests sent").hasValue(0);
    } finally {
      vertx.close().await();
    }
  }
}

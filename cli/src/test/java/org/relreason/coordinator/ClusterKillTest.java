package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Separate JVMs on 127.0.0.1: the coordinator in this JVM, two worker JVMs. A worker JVM killed
 * with SIGKILL as its step-1 task goes out is replaced (by the shard deadline, or at once when
 * Hazelcast reports its node gone), and the final parameters equal those of an uninterrupted
 * embedded run with the same shard plan; in VIEWS mode the clustered run equals the embedded one.
 */
class ClusterKillTest {

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void sigkilledWorkerJvmIsReplacedAndTheRunMatchesTheUninterruptedOne() throws Exception {
    ClusterProcesses.requireData();
    try (ClusterProcesses jvms = new ClusterProcesses(4, Map.of())) {
      RunResult run =
          runWithKill(
              jvms,
              CoordinatorOptions.of("kill-test", 2, ShardingMode.IMAGES).withDeadlineMs(5000));
      assertThat(run.faults().reassigned()).isGreaterThanOrEqualTo(1);
    }
  }

  /**
   * With deadline and heartbeat timeout far beyond the test's timeout, only the membership event
   * can free the killed worker's shard: the run finishes, the death is counted with cause
   * membership and no deadline expired.
   */
  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void workerWhoseNodeLeftIsEvictedAtOnceByTheMembershipEvent() throws Exception {
    ClusterProcesses.requireData();
    try (ClusterProcesses jvms = new ClusterProcesses(4, Map.of())) {
      CoordinatorOptions patient =
          new CoordinatorOptions(
              "membership-test", 2, ShardingMode.IMAGES, 3_600_000, 1_000, 3_600_000, false);
      RunResult run = runWithKill(jvms, patient);
      assertThat(run.faults().deaths(Rejections.MEMBERSHIP)).isEqualTo(1);
      assertThat(run.faults().timeouts()).as("no deadline expired").isZero();
      assertThat(run.faults().deaths(Rejections.HEARTBEAT)).isZero();
      assertThat(run.faults().evicted()).isEqualTo(1);
    }
  }

  /** Runs with w1 SIGKILLed as its step-1 task leaves; checks what every kill run must hold. */
  private static RunResult runWithKill(ClusterProcesses jvms, CoordinatorOptions options)
      throws Exception {
    TrainConfig config = jvms.config();
    ImageSet train = jvms.images();
    RunResult clean = ClusterProcesses.embedded(config, train, ShardingMode.IMAGES);
    List<Process> workers = new ArrayList<>();
    Vertx vertx = ClusterSupport.start(jvms.settings()).await();
    try {
      CoordinatorVerticle coordinator = new CoordinatorVerticle(options, config, train);
      vertx.deployVerticle(coordinator).await();
      AtomicBoolean killed = new AtomicBoolean();
      vertx
          .eventBus()
          .addOutboundInterceptor(
              dc -> {
                dc.next();
                if (dc.message().address().equals(Addresses.workerTask("w1"))
                    && dc.body() instanceof ShardTask t
                    && t.getHeader().getStep() == 1
                    && killed.compareAndSet(false, true)) {
                  workers.get(1).destroyForcibly(); // SIGKILL on Linux
                }
              });
      workers.add(jvms.worker("w0"));
      workers.add(jvms.worker("w1"));
      RunResult run = coordinator.result().timeout(200, TimeUnit.SECONDS).await();
      assertThat(killed).isTrue();
      assertThat(run.steps()).isEqualTo(4);
      assertThat(run.finalParams())
          .as("parameters equal the uninterrupted run")
          .containsExactly(clean.finalParams());
      assertThat(workers.get(0).waitFor(60, TimeUnit.SECONDS)).as("w0 ends with the run").isTrue();
      assertThat(workers.get(0).exitValue()).isZero();
      return run;
    } finally {
      vertx.close().await();
    }
  }

  @Test
  @Timeout(value = 240, unit = TimeUnit.SECONDS)
  void viewsModeAcrossJvmsEqualsTheEmbeddedRun() throws Exception {
    ClusterProcesses.requireData();
    try (ClusterProcesses jvms = new ClusterProcesses(3, Map.of())) {
      TrainConfig config = jvms.config();
      ImageSet train = jvms.images();
      RunResult embedded = ClusterProcesses.embedded(config, train, ShardingMode.VIEWS);
      Vertx vertx = ClusterSupport.start(jvms.settings()).await();
      try {
        CoordinatorVerticle coordinator =
            new CoordinatorVerticle(
                CoordinatorOptions.of("views-test", 2, ShardingMode.VIEWS), config, train);
        vertx.deployVerticle(coordinator).await();
        jvms.worker("v0");
        jvms.worker("v1");
        RunResult run = coordinator.result().timeout(200, TimeUnit.SECONDS).await();
        assertThat(run.steps()).isEqualTo(3);
        assertThat(run.faults()).isEqualTo(new FaultCounters(0, 0, 0, 0, 0, 0, 0, 0, 0));
        assertThat(run.finalParams())
            .as("clustered VIEWS run equals the embedded one")
            .containsExactly(embedded.finalParams());
      } finally {
        vertx.close().await();
      }
    }
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.relreason.coordinator.cluster.ClusterSupport;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.observe.RunObserver;
import org.relreason.protocol.Addresses;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.ShardingMode;

/**
 * A chaos soak across JVMs on 127.0.0.1: over one {@value #STEPS}-step run of a coordinator (this
 * JVM) and two worker JVMs, {@value #KILLS} worker JVMs are SIGKILLed, each the moment a shard task
 * goes out to it at or after one of {@value #KILLS} randomly drawn steps. Every killed JVM is
 * restarted under its old id after a random pause, as a StatefulSet would; a JVM takes seconds to
 * start, so a kill often leaves no live worker and the step waits for one ({@link
 * CoordinatorOptions#workerWaitMs}; required to happen at least once). The run must finish all its
 * steps with the parameters of an uninterrupted embedded run bit for bit: every step applied
 * exactly once, no shard's gradient lost or counted twice.
 *
 * <p>The schedule is drawn from a seed printed at the start ({@code -Drelreason.chaos.seed=S}
 * replays it).
 */
class ClusterChaosTest {
  private static final int STEPS = 40;
  private static final int KILLS = 20;

  @Test
  @Timeout(value = 900, unit = TimeUnit.SECONDS)
  void twentySigkilledWorkerJvmsOverOneRunLeaveItExact() throws Exception {
    ClusterProcesses.requireData();
    long seed = Long.getLong("relreason.chaos.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Long> plan = plan(random);
    System.out.println("ClusterChaosTest: seed " + seed + ", kills at steps " + plan);

    try (ClusterProcesses jvms = new ClusterProcesses(STEPS, Map.of("epochs", "10"))) {
      TrainConfig config = jvms.config();
      ImageSet train = jvms.images();
      RunResult clean = ClusterProcesses.embedded(config, train, ShardingMode.IMAGES);
      assertThat(clean.steps()).isEqualTo(STEPS);

      Chaos chaos = new Chaos(jvms, plan, random);
      WaitCounter waits = new WaitCounter();
      Vertx vertx = ClusterSupport.start(jvms.settings()).await();
      try {
        CoordinatorOptions options =
            CoordinatorOptions.of("chaos-test", 2, ShardingMode.IMAGES)
                .withDeadlineMs(10_000)
                .withWorkerWaitMs(180_000);
        CoordinatorVerticle coordinator =
            new CoordinatorVerticle(options, config, train).observer(waits);
        vertx.deployVerticle(coordinator).await();
        vertx
            .eventBus()
            .addOutboundInterceptor(
                dc -> {
                  dc.next();
                  if (dc.body() instanceof ShardTask t) {
                    chaos.taskSent(dc.message().address(), t.getHeader().getStep());
                  }
                });
        chaos.start("w0");
        chaos.start("w1");
        RunResult run = coordinator.result().timeout(800, TimeUnit.SECONDS).await();
        chaos.stop();
        System.out.printf(
            "ClusterChaosTest: %d SIGKILLs, %d waits with no live worker, %d steps in %.1f s,"
                + " faults %s%n",
            chaos.kills, waits.midRun.get(), run.steps(), run.seconds(), run.faults());

        assertThat(chaos.kills).as("SIGKILLs over the run").isEqualTo(KILLS);
        assertThat(waits.midRun.get())
            .as("steps that waited for a worker to come back")
            .isPositive();
        assertThat(run.steps()).isEqualTo(STEPS);
        assertThat(run.finalParams())
            .as("parameters equal the uninterrupted run (seed %d)", seed)
            .containsExactly(clean.finalParams());
      } finally {
        chaos.stop();
        vertx.close().await();
      }
    }
  }

  /** KILLS distinct steps in [1, STEPS - 3], ascending. */
  private static List<Long> plan(Random random) {
    List<Long> steps = new ArrayList<>();
    for (long s = 1; s <= STEPS - 3; s++) {
      steps.add(s);
    }
    Collections.shuffle(steps, random);
    List<Long> chosen = new ArrayList<>(steps.subList(0, KILLS));
    Collections.sort(chosen);
    return chosen;
  }

  /** Counts the times the run, once running, waited with no live worker left. */
  private static final class WaitCounter implements RunObserver {
    final AtomicInteger midRun = new AtomicInteger();
    private volatile boolean running;

    @Override
    public void onRunState(RunState state) {
      if (state == RunState.RUNNING) {
        running = true;
      } else if (state == RunState.WAITING && running) {
        midRun.incrementAndGet();
      }
    }
  }

  /** The worker JVMs: killed as tasks of the planned steps go out to them, restarted later. */
  private static final class Chaos {
    private final ClusterProcesses jvms;
    private final Deque<Long> pending;
    private final Random random;
    private final Map<String, Process> live = new TreeMap<>();
    private final Map<String, Integer> incarnation = new TreeMap<>();
    private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor();
    private boolean stopped;
    int kills;

    Chaos(ClusterProcesses jvms, List<Long> plan, Random random) {
      this.jvms = jvms;
      this.pending = new ArrayDeque<>(plan);
      this.random = random;
    }

    synchronized void start(String id) {
      if (stopped) {
        return;
      }
      int n = incarnation.merge(id, 1, Integer::sum);
      try {
        live.put(id, jvms.workerLoggingTo("chaos-" + id + "-" + n, id));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /**
     * On the coordinator's event loop, after a task for {@code step} left for {@code address}:
     * kills its worker if the next planned kill is due and the JVM is alive (a task to a JVM
     * already dead leaves the kill for the task that replaces it).
     */
    synchronized void taskSent(String address, long step) {
      if (stopped || pending.isEmpty() || step < pending.peekFirst()) {
        return;
      }
      String id = null;
      for (String w : live.keySet()) {
        if (address.equals(Addresses.workerTask(w))) {
          id = w;
        }
      }
      if (id == null || !live.get(id).isAlive()) {
        return;
      }
      pending.removeFirst();
      live.get(id).destroyForcibly(); // SIGKILL on Linux
      kills++;
      String victim = id;
      restarts.schedule(() -> start(victim), 200 + random.nextInt(1800), TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
      stopped = true;
      restarts.shutdownNow();
    }
  }
}

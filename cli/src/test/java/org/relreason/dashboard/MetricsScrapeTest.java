package org.relreason.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.relreason.cli.Pretraining;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.run.TrainJob;
import org.relreason.model.run.TrainResult;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.DashboardAccess;

/** Scrapes {@code /metrics} in the middle of an embedded run and again after it. */
class MetricsScrapeTest {
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\\{[^}]*\\})?) (\\S+)$", Pattern.MULTILINE);

  @Test
  void metricsHaveTheContractNamesAndTypesAndCountersMove() throws Exception {
    int steps = 12;
    TrainConfig config = TinyRuns.config(2, steps);
    CountDownLatch scraped = new CountDownLatch(1);
    CountDownLatch atStep3 = new CountDownLatch(1);
    // Holds the run at step 3 until the first scrape is taken, so that scrape is mid-run whatever
    // the machine's speed (a few seconds at most; the heartbeat timeout is 10 s).
    TrainListener gate =
        new TrainListener() {
          @Override
          public void onStep(StepReport r) {
            if (r.globalStep() == 3) {
              atStep3.countDown();
              await(scraped);
            }
          }
        };
    try (RunWatch watch = RunWatch.start(config, DashboardAccess.ephemeral(), "127.0.0.1", 0)) {
      String url = "http://127.0.0.1:" + watch.dashboardPort() + "/metrics";
      CompletableFuture<TrainResult> run =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return TrainJob.run(
                      config,
                      TrainListener.both(watch.listener(), gate),
                      Pretraining.watched(config, watch));
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      assertThat(atStep3.await(5, TimeUnit.MINUTES)).as("the run reached step 3").isTrue();
      String first;
      int ready;
      try {
        first = TinyRuns.get(url).body();
        ready =
            TinyRuns.get("http://127.0.0.1:" + watch.dashboardPort() + "/health/ready")
                .statusCode();
      } finally {
        scraped.countDown();
      }
      TrainResult result = run.get(10, TimeUnit.MINUTES);
      String second = TinyRuns.get(url).body();

      assertThat(ready).as("ready while the run is running").isEqualTo(200);
      assertThat(
              TinyRuns.get("http://127.0.0.1:" + watch.dashboardPort() + "/health/ready")
                  .statusCode())
          .as("not ready once the run has finished")
          .isEqualTo(503);
      assertThat(result.steps()).isEqualTo(steps);

      Map<String, String> types = types(second);
      assertThat(types)
          .containsEntry("relreason_train_loss", "gauge")
          .containsEntry("relreason_pair_accuracy", "gauge")
          .containsEntry("relreason_train_steps_total", "counter")
          .containsEntry("relreason_parameter_version", "gauge")
          .containsEntry("relreason_epoch", "gauge")
          .containsEntry("relreason_views_processed_total", "counter")
          .containsEntry("relreason_views_per_second", "gauge")
          .containsEntry("relreason_step_duration_seconds", "histogram")
          .containsEntry("relreason_step_phase_duration_seconds", "histogram")
          .containsEntry("relreason_workers_active", "gauge")
          .containsEntry("relreason_message_bytes_total", "counter")
          .containsEntry("relreason_messages_rejected_total", "counter")
          .containsEntry("relreason_worker_deaths_total", "counter")
          .containsEntry("relreason_shard_reassignments_total", "counter")
          .containsEntry("relreason_checkpoint_duration_seconds", "histogram")
          .containsEntry("relreason_checkpoint_size_bytes", "gauge")
          .containsEntry("relreason_eval_accuracy", "gauge")
          .containsEntry("relreason_worker_shards_total", "counter")
          .containsEntry("relreason_worker_compute_duration_seconds", "histogram")
          .containsEntry("relreason_worker_views_processed_total", "counter")
          .containsEntry("relreason_worker_parameter_version", "gauge")
          .containsEntry("jvm_memory_used_bytes", "gauge")
          .containsEntry("jvm_threads_current", "gauge")
          .containsEntry("process_cpu_seconds_total", "counter");

      Map<String, Double> a = samples(first);
      Map<String, Double> b = samples(second);
      // the gate holds step 3 in the listener, which hears of a step just before the metrics do
      assertThat(a.get("relreason_train_steps_total")).isBetween(2.0, 3.0);
      assertThat(b.get("relreason_train_steps_total")).isEqualTo((double) steps);
      assertThat(b.get("relreason_views_processed_total"))
          .isEqualTo(steps * 8.0 * 2)
          .isGreaterThan(a.get("relreason_views_processed_total"));
      assertThat(b.get("relreason_parameter_version")).isEqualTo((double) steps);
      assertThat(b.get("relreason_worker_shards_total"))
          .as("two workers, one shard each per step")
          .isEqualTo(2.0 * steps);
      String tasks = "relreason_message_bytes_total{direction=\"sent\",kind=\"task\"}";
      String grads = "relreason_message_bytes_total{direction=\"received\",kind=\"gradients\"}";
      assertThat(b.get(tasks)).isGreaterThan(a.get(tasks)).isGreaterThan(0);
      assertThat(b.get(grads)).isGreaterThan(a.get(grads));
      assertThat(b.get("relreason_step_phase_duration_seconds_count{phase=\"compute\"}"))
          .isEqualTo((double) steps);
      assertThat(b.get("relreason_step_duration_seconds_count")).isEqualTo((double) steps);
      assertThat(b.get("relreason_workers_active")).isEqualTo(2.0);
      assertThat(b.get("relreason_train_loss")).isFinite().isPositive();
      assertThat(b.get("relreason_pair_accuracy{pairs=\"positive\"}")).isBetween(0.0, 1.0);
      assertThat(b.get("relreason_eval_accuracy{dataset=\"fashion-mnist\",protocol=\"linear\"}"))
          .isEqualTo(result.linearTop1());
      assertThat(b.get("relreason_eval_accuracy{dataset=\"fashion-mnist\",protocol=\"knn\"}"))
          .isEqualTo(result.knnTop1());
      assertThat(b.get("relreason_messages_rejected_total{reason=\"stale\"}")).isZero();
      // no step number in any label
      assertThat(second).doesNotContainPattern("\\{[^}]*step=");
    }
  }

  private static void await(CountDownLatch l) {
    try {
      l.await(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Metric family name to its {@code # TYPE}. */
  static Map<String, String> types(String scrape) {
    Map<String, String> m = new HashMap<>();
    for (String line : scrape.split("\n")) {
      if (line.startsWith("# TYPE ")) {
        String[] p = line.split(" ");
        m.put(p[2], p[3]);
      }
    }
    return m;
  }

  /** Series (name with labels, as written) to value. */
  static Map<String, Double> samples(String scrape) {
    Map<String, Double> m = new HashMap<>();
    Matcher x = SAMPLE.matcher(scrape);
    while (x.find()) {
      m.put(x.group(1), Double.parseDouble(x.group(2)));
    }
    return m;
  }
}

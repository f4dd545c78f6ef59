package org.relreason.dashboard;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.StepTimes;

/**
 * What the dashboard shows, collected from the trainer's or the coordinator's reports (any thread)
 * and handed to subscribers as small JSON events: {@code step}, {@code worker}, {@code eval},
 * {@code run}. A new subscriber first gets a {@code snapshot} of everything so far, under the same
 * lock as the events, so it misses nothing and sees nothing twice.
 */
public final class DashboardState implements RunObserver {
  /** Steps kept for the charts; older ones are dropped (the charts show the recent run). */
  static final int MAX_POINTS = 5000;

  private final Map<String, String> config;
  private final String dataset;
  private final Deque<JsonObject> steps = new ArrayDeque<>();
  private final Map<String, JsonObject> workers = new TreeMap<>();
  private final Map<String, JsonObject> evals = new LinkedHashMap<>();
  private final List<JsonObject> probes = new ArrayList<>();
  private final List<Consumer<JsonObject>> subscribers = new ArrayList<>();
  private String runState = RunState.WAITING.name().toLowerCase(java.util.Locale.ROOT);
  private final String mode;

  /**
   * @param config the run's configuration (shown as a table)
   * @param dataset dataset name (the evaluations' and paper references' key)
   * @param mode "single process", "embedded, N workers" or "clustered"
   */
  public DashboardState(Map<String, String> config, String dataset, String mode) {
    this.config = Map.copyOf(config);
    this.dataset = dataset;
    this.mode = mode;
  }

  /** Registers {@code s} and returns the snapshot it starts from. */
  public synchronized JsonObject subscribe(Consumer<JsonObject> s) {
    subscribers.add(s);
    return snapshot();
  }

  /** Stops sending to {@code s}. */
  public synchronized void unsubscribe(Consumer<JsonObject> s) {
    subscribers.remove(s);
  }

  /** Everything so far: config, run state, steps, workers, evaluations. */
  public synchronized JsonObject snapshot() {
    JsonObject c = new JsonObject();
    new TreeMap<>(config).forEach(c::put);
    return new JsonObject()
        .put("type", "snapshot")
        .put("config", c)
        .put("dataset", dataset)
        .put("mode", mode)
        .put("run", runState)
        .put("steps", new JsonArray(new ArrayList<>(steps)))
        .put("workers", new JsonArray(new ArrayList<>(workers.values())))
        .put("evals", new JsonArray(new ArrayList<>(evals.values())))
        .put("probes", new JsonArray(new ArrayList<>(probes)));
  }

  private void emit(JsonObject event) {
    for (Consumer<JsonObject> s : subscribers) {
      s.accept(event);
    }
  }

  /** Records a step (from either the trainer or the coordinator). */
  synchronized void step(StepReport r, Map<String, Double> phases, double seconds) {
    StepStats s = r.stats();
    JsonObject p = new JsonObject();
    phases.forEach(p::put);
    JsonObject e =
        new JsonObject()
            .put("type", "step")
            .put("step", r.globalStep())
            .put("total", r.totalSteps())
            .put("epoch", r.epoch())
            .put("loss", finite(s.loss()))
            .put("positive", finite(s.positiveAccuracy()))
            .put("negative", finite(s.negativeAccuracy()))
            .put("viewsPerSecond", finite(r.viewsPerSecond()))
            .put("seconds", seconds)
            .put("phases", p);
    steps.addLast(e);
    if (steps.size() > MAX_POINTS) {
      steps.removeFirst();
    }
    emit(e);
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }

  private JsonObject worker(String id) {
    return workers.computeIfAbsent(
        id,
        k ->
            new JsonObject()
                .put("id", k)
                .put("host", "")
                .put("backend", "")
                .put("device", "")
                .put("state", "registered")
                .put("lastStep", 0L)
                .put("viewsPerSecond", 0.0)
                .put("lastHeartbeat", 0L));
  }

  private void emitWorker(JsonObject w) {
    emit(new JsonObject().put("type", "worker").put("worker", w.copy()));
  }

  @Override
  public synchronized void onRunState(RunState state) {
    runState = state.name().toLowerCase(java.util.Locale.ROOT);
    emit(new JsonObject().put("type", "run").put("run", runState));
  }

  @Override
  public synchronized void onWorkerJoined(WorkerInfo info) {
    JsonObject w =
        worker(info.id())
            .put("host", info.host())
            .put("backend", info.backend())
            .put("device", info.device())
            .put("threads", info.threads())
            .put("state", "registered")
            .put("lastHeartbeat", System.currentTimeMillis());
    emitWorker(w);
  }

  @Override
  public synchronized void onHeartbeat(String id, long lastStep) {
    // not emitted: a heartbeat a second per worker would flood the stream; the next shard or the
    // periodic refresh of the page carries it
    worker(id).put("lastHeartbeat", System.currentTimeMillis());
  }

  @Override
  public synchronized void onWorkerLost(String id, WorkerLoss cause) {
    emitWorker(worker(id).put("state", "lost (" + cause.label() + ")"));
  }

  @Override
  public synchronized void onShardStarted(String id, long step, int shard) {
    JsonObject w = worker(id);
    if (!"computing".equals(w.getString("state"))) {
      emitWorker(w.put("state", "computing"));
    }
  }

  @Override
  public synchronized void onShardDone(String id, long step, int views, double seconds) {
    JsonObject w =
        worker(id)
            .put("state", "idle")
            .put("lastStep", step)
            .put("viewsPerSecond", seconds > 0 ? views / seconds : 0.0);
    emitWorker(w);
  }

  @Override
  public void onStep(StepReport report, StepTimes times, int workersActive) {
    step(report, times.phases(), times.total());
  }

  @Override
  public void onEvaluation(String protocol, String dataset, double top1) {
    evaluation(protocol, dataset, top1);
  }

  @Override
  public void onProbe(long step, double knnTop1) {
    probe(step, knnTop1);
  }

  /** Records a point of the online probe (kNN top-1 after {@code step}). */
  public synchronized void probe(long step, double knnTop1) {
    JsonObject e = new JsonObject().put("type", "probe").put("step", step).put("top1", knnTop1);
    probes.add(e);
    emit(e);
  }

  /** Records an evaluation result. */
  public synchronized void evaluation(String protocol, String datasetName, double top1) {
    JsonObject e =
        new JsonObject()
            .put("type", "eval")
            .put("protocol", protocol)
            .put("dataset", datasetName)
            .put("top1", top1);
    evals.put(protocol + "/" + datasetName, e);
    emit(e);
  }

  /**
   * A listener for the single-process trainer and for {@code TrainJob}'s evaluations. With {@code
   * steps} false only evaluations are taken (the coordinator reports the steps of a distributed
   * run, with their phases).
   */
  public TrainListener trainListener(boolean steps) {
    if (steps) {
      onRunState(RunState.RUNNING);
    }
    return new TrainListener() {
      private long last = System.nanoTime();

      @Override
      public void onStep(StepReport report) {
        if (!steps) {
          return;
        }
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        last = now;
        // one process has no shards: the whole step is computing
        step(report, Map.of("compute", seconds), seconds);
      }

      @Override
      public void onEvaluation(String protocol, String datasetName, double top1) {
        evaluation(protocol, datasetName, top1);
      }

      @Override
      public void onProbe(long step, double knnTop1) {
        probe(step, knnTop1);
      }
    };
  }
}

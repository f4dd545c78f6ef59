package org.relreason.observe;

import java.nio.file.Path;
import java.util.Locale;
import org.relreason.model.train.StepReport;
import org.relreason.protocol.v1.Error;

/**
 * What the {@link CoordinatorVerticle} reports as a run goes: steps with their phase times, workers
 * joining, working and being lost, refused messages, bytes on the bus, checkpoints. Metrics and the
 * dashboard implement it; the coordinator itself knows no metrics library. Every method is called
 * on the coordinator's event loop and must be quick; each has a no-op default.
 */
public interface RunObserver {
  /** Does nothing. */
  RunObserver NONE = new RunObserver() {};

  /** Where the run is. */
  enum RunState {
    /** Waiting for the configured number of workers. */
    WAITING,
    /** Stepping. */
    RUNNING,
    /** The last step is done. */
    FINISHED,
    /** A step failed and the run cannot go on. */
    FAILED
  }

  /**
   * Why a worker was dropped (the {@code cause} label of {@code relreason_worker_deaths_total}).
   */
  enum WorkerLoss {
    /** No heartbeat within the timeout. */
    HEARTBEAT,
    /** Made no progress on a shard within the deadline. */
    DEADLINE,
    /** Said goodbye (or was undeployed). */
    DISCONNECT,
    /** Its cluster member left (reported by the cluster's membership listener). */
    MEMBERSHIP;

    /** The Prometheus label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * Why a message was refused (the {@code reason} label of {@code
   * relreason_messages_rejected_total}).
   */
  enum Rejection {
    MALFORMED,
    OVERSIZE,
    PROTOCOL_VERSION,
    CONFIG_HASH,
    SHAPE,
    NON_FINITE,
    STALE,
    DUPLICATE,
    LATE,
    GRADIENT_OUTLIER,
    UNAUTHENTICATED;

    /** The Prometheus label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /** The rejection an error code stands for, or null for codes that are not a refusal. */
    public static Rejection of(Error.Code code) {
      return switch (code) {
        case MALFORMED -> MALFORMED;
        case OVERSIZE -> OVERSIZE;
        case WRONG_PROTOCOL_VERSION -> PROTOCOL_VERSION;
        case WRONG_MODEL_CONFIG -> CONFIG_HASH;
        case WRONG_SHAPE -> SHAPE;
        case NON_FINITE -> NON_FINITE;
        case STALE -> STALE;
        case DUPLICATE -> DUPLICATE;
        case GRADIENT_OUTLIER -> GRADIENT_OUTLIER;
        case UNAUTHENTICATED -> UNAUTHENTICATED;
        default -> null;
      };
    }
  }

  /**
   * A registered worker.
   *
   * @param id worker id
   * @param host host it announced
   * @param backend ND4J backend (e.g. CPU)
   * @param device device name
   * @param threads ND4J threads
   */
  record WorkerInfo(String id, String host, String backend, String device, int threads) {}

  /** The run moved to {@code state}. */
  default void onRunState(RunState state) {}

  /** A worker was accepted. */
  default void onWorkerJoined(WorkerInfo worker) {}

  /** A worker's heartbeat arrived. */
  default void onHeartbeat(String worker, long lastStep) {}

  /** A worker was dropped. */
  default void onWorkerLost(String worker, WorkerLoss cause) {}

  /** A shard of {@code step} was sent to {@code worker}. */
  default void onShardStarted(String worker, long step, int shard) {}

  /** {@code worker}'s shard result was accepted: {@code views} views in {@code seconds}. */
  default void onShardDone(String worker, long step, int views, double seconds) {}

  /** A shard attempt failed and the shard goes to another worker. */
  default void onShardReassigned() {}

  /** A message was refused (or, for {@link Rejection#LATE}, ignored). */
  default void onRejected(Rejection reason) {}

  /** A message of {@code bytes} (protobuf serialized size) went out or came in. */
  default void onMessage(Traffic.Direction direction, Traffic.Kind kind, long bytes) {}

  /**
   * A step was applied.
   *
   * @param report loss, pair accuracies, cursor and throughput
   * @param times the step's wall time by phase
   * @param workersActive registered workers now
   */
  default void onStep(StepReport report, StepTimes times, int workersActive) {}

  /** A checkpoint was written. */
  default void onCheckpoint(Path file, double seconds, long bytes) {}

  /** A checkpoint could not be written (the run goes on and tries again at the next step). */
  default void onCheckpointFailed(String reason) {}

  /** An evaluation result, e.g. the online probe's {@code probe_knn} (from any thread). */
  default void onEvaluation(String protocol, String dataset, double top1) {}

  /** A point of the online probe: kNN top-1 after {@code step} (from the probe's thread). */
  default void onProbe(long step, double knnTop1) {}

  /** This observer as the listener the online probe reports its points to. */
  default org.relreason.model.train.TrainListener probeListener() {
    RunObserver self = this;
    return new org.relreason.model.train.TrainListener() {
      @Override
      public void onEvaluation(String protocol, String dataset, double top1) {
        self.onEvaluation(protocol, dataset, top1);
      }

      @Override
      public void onProbe(long step, double knnTop1) {
        self.onProbe(step, knnTop1);
      }
    };
  }

  /** Both observers, {@code a} first. */
  static RunObserver both(RunObserver a, RunObserver b) {
    return new RunObserver() {
      @Override
      public void onRunState(RunState state) {
        a.onRunState(state);
        b.onRunState(state);
      }

      @Override
      public void onWorkerJoined(WorkerInfo worker) {
        a.onWorkerJoined(worker);
        b.onWorkerJoined(worker);
      }

      @Override
      public void onHeartbeat(String worker, long lastStep) {
        a.onHeartbeat(worker, lastStep);
        b.onHeartbeat(worker, lastStep);
      }

      @Override
      public void onWorkerLost(String worker, WorkerLoss cause) {
        a.onWorkerLost(worker, cause);
        b.onWorkerLost(worker, cause);
      }

      @Override
      public void onShardStarted(String worker, long step, int shard) {
        a.onShardStarted(worker, step, shard);
        b.onShardStarted(worker, step, shard);
      }

      @Override
      public void onShardDone(String worker, long step, int views, double seconds) {
        a.onShardDone(worker, step, views, seconds);
        b.onShardDone(worker, step, views, seconds);
      }

      @Override
      public void onShardReassigned() {
        a.onShardReassigned();
        b.onShardReassigned();
      }

      @Override
      public void onRejected(Rejection reason) {
        a.onRejected(reason);
        b.onRejected(reason);
      }

      @Override
      public void onMessage(Traffic.Direction direction, Traffic.Kind kind, long bytes) {
        a.onMessage(direction, kind, bytes);
        b.onMessage(direction, kind, bytes);
      }

      @Override
      public void onStep(StepReport report, StepTimes times, int workersActive) {
        a.onStep(report, times, workersActive);
        b.onStep(report, times, workersActive);
      }

      @Override
      public void onCheckpoint(Path file, double seconds, long bytes) {
        a.onCheckpoint(file, seconds, bytes);
        b.onCheckpoint(file, seconds, bytes);
      }

      @Override
      public void onEvaluation(String protocol, String dataset, double top1) {
        a.onEvaluation(protocol, dataset, top1);
        b.onEvaluation(protocol, dataset, top1);
      }

      @Override
      public void onProbe(long step, double knnTop1) {
        a.onProbe(step, knnTop1);
        b.onProbe(step, knnTop1);
      }

      @Override
      public void onCheckpointFailed(String reason) {
        a.onCheckpointFailed(reason);
        b.onCheckpointFailed(reason);
      }
    };
  }
}

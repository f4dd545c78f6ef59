package org.relreason.coordinator;

import org.relreason.protocol.v1.ShardingMode;

/**
 * How the coordinator runs a distributed pre-training.
 *
 * @param runId identifies the run in every message header
 * @param workers registered workers to wait for before the first step; also the shard count (capped
 *     by what the minibatch allows)
 * @param mode IMAGES or VIEWS sharding
 * @param deadlineMs a shard attempt that makes no progress for this long is given to another worker
 * @param heartbeatIntervalMs how often workers send heartbeats
 * @param heartbeatTimeoutMs a worker silent for this long is evicted
 * @param recordGradients keep every step's aggregated gradient in the result (tests)
 * @param normBound shards whose gradient norm is far outside the run's recent range are refused
 * @param workerWaitMs when no live worker is left for a shard, how long the step waits for one to
 *     (re)register before the run fails (0: fail at once); a worker that registers meanwhile is
 *     admitted at once and takes over the step's missing shards
 */
public record CoordinatorOptions(
    String runId,
    int workers,
    ShardingMode mode,
    long deadlineMs,
    int heartbeatIntervalMs,
    int heartbeatTimeoutMs,
    boolean recordGradients,
    NormBound normBound,
    long workerWaitMs) {
  public CoordinatorOptions {
    java.util.Objects.requireNonNull(normBound, "normBound");
    if (workerWaitMs < 0) {
      throw new IllegalArgumentException("worker wait must be >= 0 ms, got " + workerWaitMs);
    }
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be at least 1, got " + workers);
    }
    if (mode != ShardingMode.IMAGES && mode != ShardingMode.VIEWS) {
      throw new IllegalArgumentException("sharding mode must be IMAGES or VIEWS, got " + mode);
    }
    if (deadlineMs <= 0 || heartbeatIntervalMs <= 0 || heartbeatTimeoutMs <= heartbeatIntervalMs) {
      throw new IllegalArgumentException(
          "need deadline > 0 and heartbeat timeout > interval > 0, got deadline "
              + deadlineMs
              + ", interval "
              + heartbeatIntervalMs
              + ", timeout "
              + heartbeatTimeoutMs);
    }
  }

  /** With the {@link NormBound#DEFAULT default} gradient norm bound. */
  public CoordinatorOptions(
      String runId,
      int workers,
      ShardingMode mode,
      long deadlineMs,
      int heartbeatIntervalMs,
      int heartbeatTimeoutMs,
      boolean recordGradients) {
    this(
        runId,
        workers,
        mode,
        deadlineMs,
        heartbeatIntervalMs,
        heartbeatTimeoutMs,
        recordGradients,
        NormBound.DEFAULT,
        0);
  }

  /** Defaults: a 60 s deadline, heartbeats every second, eviction after 10 s of silence. */
  public static CoordinatorOptions of(String runId, int workers, ShardingMode mode) {
    return new CoordinatorOptions(runId, workers, mode, 60_000, 1_000, 10_000, false);
  }

  /** The same options with another deadline. */
  public CoordinatorOptions withDeadlineMs(long ms) {
    return new CoordinatorOptions(
        runId,
        workers,
        mode,
        ms,
        heartbeatIntervalMs,
        heartbeatTimeoutMs,
        recordGradients,
        normBound,
        workerWaitMs);
  }

  /** The same options, keeping every step's gradient. */
  public CoordinatorOptions recordingGradients() {
    return new CoordinatorOptions(
        runId,
        workers,
        mode,
        deadlineMs,
        heartbeatIntervalMs,
        heartbeatTimeoutMs,
        true,
        normBound,
        workerWaitMs);
  }

  /** The same options with another wait for a worker when none is left ({@link #workerWaitMs}). */
  public CoordinatorOptions withWorkerWaitMs(long ms) {
    return new CoordinatorOptions(
        runId,
        workers,
        mode,
        deadlineMs,
        heartbeatIntervalMs,
        heartbeatTimeoutMs,
        recordGradients,
        normBound,
        ms);
  }

  /** The same options with another gradient norm bound. */
  public CoordinatorOptions withNormBound(NormBound b) {
    return new CoordinatorOptions(
        runId,
        workers,
        mode,
        deadlineMs,
        heartbeatIntervalMs,
        heartbeatTimeoutMs,
        recordGradients,
        b,
        workerWaitMs);
  }
}

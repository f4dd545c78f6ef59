package org.relreason.worker;

import org.relreason.protocol.Addresses;

/**
 * How a worker joins a run.
 *
 * @param workerId stable unique id, part of event-bus addresses ({@code [A-Za-z0-9_-]}, 1–128)
 * @param featuresTimeoutMs VIEWS mode: how long to wait for the coordinator's feature gradients (it
 *     answers once the whole minibatch's features are in, which may include a reassigned shard)
 * @param host the host this worker advertises (the {@code worker} role's {@code --host}), reported
 *     to the coordinator in {@code WorkerHello.host} for its logs and the dashboard's worker table
 */
public record WorkerOptions(String workerId, long featuresTimeoutMs, String host) {
  /** The host reported by a worker that runs inside the coordinator's JVM. */
  public static final String LOOPBACK = "127.0.0.1";

  public WorkerOptions {
    if (!Addresses.isValidWorkerId(workerId)) {
      throw new IllegalArgumentException(
          "worker id must be 1-128 characters of [A-Za-z0-9_-], got '" + workerId + "'");
    }
    if (featuresTimeoutMs <= 0) {
      throw new IllegalArgumentException("featuresTimeoutMs must be positive");
    }
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("worker host must not be blank, got '" + host + "'");
    }
  }

  /** A worker with a one-minute features timeout, reporting host {@value #LOOPBACK}. */
  public static WorkerOptions of(String workerId) {
    return new WorkerOptions(workerId, 60_000, LOOPBACK);
  }

  /** The same options reporting {@code advertised} as the worker's host. */
  public WorkerOptions withHost(String advertised) {
    return new WorkerOptions(workerId, featuresTimeoutMs, advertised);
  }
}

package org.relreason.worker;

import org.relreason.protocol.Addresses;

/**
 * How a worker joins a run.
 *
 * @param workerId stable unique id, part of event-bus addresses ({@code [A-Za-z0-9_-]}, 1–128)
 * @param featuresTimeoutMs VIEWS mode: how long to wait for the coordinator's feature gradients (it
 *     answers once the whole minibatch's features are in, which may include a reassigned shard)
 */
public record WorkerOptions(String workerId, long featuresTimeoutMs) {
  public WorkerOptions {
    if (!Addresses.isValidWorkerId(workerId)) {
      throw new IllegalArgumentException(
          "worker id must be 1-128 characters of [A-Za-z0-9_-], got '" + workerId + "'");
    }
    if (featuresTimeoutMs <= 0) {
      throw new IllegalArgumentException("featuresTimeoutMs must be positive");
    }
  }

  /** A worker with a one-minute features timeout. */
  public static WorkerOptions of(String workerId) {
    return new WorkerOptions(workerId, 60_000);
  }
}

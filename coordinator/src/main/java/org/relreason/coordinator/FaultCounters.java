package org.relreason.coordinator;

import java.util.Map;

/**
 * What the coordinator refused or recovered from during a run (a snapshot).
 *
 * @param nonFinite shard results or features holding NaN/Inf: rejected, recomputed, never applied
 * @param stale results or features for another step, parameter version or shard: ignored
 * @param duplicates features received again for a shard already in (answered from the stored
 *     gradients, never counted twice)
 * @param late replies that arrived after their attempt had timed out or been replaced: ignored
 * @param timeouts shard attempts that missed their deadline
 * @param reassigned shard attempts sent to another worker after a failure
 * @param workerErrors shard attempts a worker answered with an {@code Error}
 * @param refused registrations refused (protocol version, model-config hash, duplicate id)
 * @param evicted workers removed (deadline missed, heartbeat timeout, disconnect, node left)
 * @param rejected refused messages by reason ({@link Rejections#MALFORMED} ... {@link
 *     Rejections#LATE}); only reasons that occurred appear
 * @param deaths workers lost by cause ({@link Rejections#HEARTBEAT}, {@link Rejections#DEADLINE},
 *     {@link Rejections#DISCONNECT}, {@link Rejections#MEMBERSHIP}); only causes that occurred
 */
public record FaultCounters(
    long nonFinite,
    long stale,
    long duplicates,
    long late,
    long timeouts,
    long reassigned,
    long workerErrors,
    long refused,
    long evicted,
    Map<String, Long> rejected,
    Map<String, Long> deaths) {

  public FaultCounters {
    rejected = Map.copyOf(rejected);
    deaths = Map.copyOf(deaths);
  }

  /** Counters with no rejections or deaths recorded by reason. */
  public FaultCounters(
      long nonFinite,
      long stale,
      long duplicates,
      long late,
      long timeouts,
      long reassigned,
      long workerErrors,
      long refused,
      long evicted) {
    this(
        nonFinite,
        stale,
        duplicates,
        late,
        timeouts,
        reassigned,
        workerErrors,
        refused,
        evicted,
        Map.of(),
        Map.of());
  }

  /** Messages rejected for {@code reason} (0 if none). */
  public long rejected(String reason) {
    return rejected.getOrDefault(reason, 0L);
  }

  /** Workers lost to {@code cause} (0 if none). */
  public long deaths(String cause) {
    return deaths.getOrDefault(cause, 0L);
  }
}

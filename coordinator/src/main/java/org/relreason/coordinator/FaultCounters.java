package org.relreason.coordinator;

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
 * @param evicted workers removed (deadline missed, heartbeat timeout, disconnect)
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
    long evicted) {}

package org.relreason.coordinator;

import java.util.Map;
import org.relreason.protocol.ProtocolException;

/**
 * Mutable counters behind {@link FaultCounters}. Every refused message and every lost worker is
 * counted once, in {@link Rejections} (which also feeds the metrics); the record's per-kind fields
 * are read from it, not counted a second time. The plain fields are written on the coordinator's
 * event loop only.
 */
final class Counters {
  long timeouts, reassigned, workerErrors, refused;
  final Rejections rejections = new Rejections();

  FaultCounters snapshot() {
    Map<String, Long> rejected = rejections.rejected();
    Map<String, Long> deaths = rejections.deaths();
    return new FaultCounters(
        rejected.getOrDefault(Rejections.NON_FINITE, 0L),
        rejected.getOrDefault(Rejections.STALE, 0L),
        rejected.getOrDefault(Rejections.DUPLICATE, 0L),
        rejected.getOrDefault(Rejections.LATE, 0L),
        timeouts,
        reassigned,
        workerErrors,
        refused,
        deaths.values().stream().mapToLong(Long::longValue).sum(),
        rejected,
        deaths);
  }

  /** Counts a refused message under its reason. */
  void reject(ProtocolException e) {
    rejections.reject(e.code());
  }

  void late() {
    rejections.reject(Rejections.LATE);
  }

  void duplicate() {
    rejections.reject(Rejections.DUPLICATE);
  }

  void death(String cause) {
    rejections.death(cause);
  }
}

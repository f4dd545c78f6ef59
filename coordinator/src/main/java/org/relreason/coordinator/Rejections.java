package org.relreason.coordinator;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.relreason.observe.RunObserver;
import org.relreason.protocol.v1.Error;

/**
 * Thread-safe counts of refused incoming messages by reason, and of worker deaths by cause. Shard
 * results are decoded and validated on worker threads, so these counts are not confined to the
 * coordinator's event loop.
 *
 * <p>The reason and cause strings are part of the metrics contract: they become the {@code reason}
 * label of {@code relreason_messages_rejected_total} and the {@code cause} label of {@code
 * relreason_worker_deaths_total}.
 */
public final class Rejections {
  /** Bytes that do not parse as the expected message (or a body of the wrong type). */
  public static final String MALFORMED = "malformed";

  /** A frame whose length prefix exceeds the size limit (refused before parsing). */
  public static final String OVERSIZE = "oversize";

  /** A header naming another protocol version. */
  public static final String PROTOCOL_VERSION = "protocol_version";

  /** Another run id or model-config hash. */
  public static final String CONFIG_HASH = "config_hash";

  /** A tensor of the wrong length or shape, or inconsistent counts. */
  public static final String SHAPE = "shape";

  /** NaN or infinity in a gradient, feature or loss. */
  public static final String NON_FINITE = "non_finite";

  /** For another step, parameter version or shard. */
  public static final String STALE = "stale";

  /** Features received again for a shard already in. */
  public static final String DUPLICATE = "duplicate";

  /** A reply after its attempt had timed out or been replaced. */
  public static final String LATE = "late";

  /** A gradient or statistic-delta norm far outside the run's recent range ({@link NormBound}). */
  public static final String GRADIENT_OUTLIER = "gradient_outlier";

  /**
   * A message whose HMAC is missing, wrong, out of its time window or replayed (run secret mode),
   * or a membership message whose authenticated sender is not the worker it names.
   */
  public static final String UNAUTHENTICATED = "unauthenticated";

  /** Death causes. */
  public static final String HEARTBEAT = "heartbeat";

  public static final String DEADLINE = "deadline";
  public static final String DISCONNECT = "disconnect";
  public static final String MEMBERSHIP = "membership";

  private final Map<String, LongAdder> rejected = new ConcurrentHashMap<>();
  private volatile java.util.function.Consumer<String> listener = reason -> {};
  private final Map<String, LongAdder> deaths = new ConcurrentHashMap<>();

  /** The rejection reason of a protocol error code, or {@code null} if it is not a rejection. */
  public static String reasonOf(Error.Code code) {
    // one mapping of codes to reasons: the metrics' enum (its labels are these strings)
    RunObserver.Rejection r = RunObserver.Rejection.of(code);
    return r == null ? null : r.label();
  }

  /** Counts one rejected message. */
  public void reject(String reason) {
    rejected.computeIfAbsent(reason, r -> new LongAdder()).increment();
    listener.accept(reason);
  }

  /** Also tells {@code l} (which must be thread-safe) of every rejection, by reason. */
  public void listener(java.util.function.Consumer<String> l) {
    this.listener = l;
  }

  /** Counts one rejected message by its protocol error code (ignores non-rejection codes). */
  public void reject(Error.Code code) {
    String reason = reasonOf(code);
    if (reason != null) {
      reject(reason);
    }
  }

  /** Counts one worker death. */
  public void death(String cause) {
    deaths.computeIfAbsent(cause, c -> new LongAdder()).increment();
  }

  /** Rejections so far, by reason (only reasons that occurred), sorted. */
  public Map<String, Long> rejected() {
    return snapshot(rejected);
  }

  /** Deaths so far, by cause (only causes that occurred), sorted. */
  public Map<String, Long> deaths() {
    return snapshot(deaths);
  }

  private static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return Collections.unmodifiableMap(out);
  }
}

package org.relreason.protocol;

import java.util.regex.Pattern;

/**
 * Event-bus addresses. Each constant says who listens, what travels there and what comes back;
 * "request" means a reply is expected, "send" point-to-point without reply, "publish" to every
 * subscriber.
 */
public final class Addresses {
  /** Prefix of every relreason address. */
  public static final String PREFIX = "relreason.";

  /** Coordinator. Request {@code WorkerHello}, reply {@code RegistrationReply}. */
  public static final String COORDINATOR_REGISTER = "relreason.coordinator.register";

  /** Coordinator. Send {@code Disconnect}: a worker leaves the run. */
  public static final String COORDINATOR_DISCONNECT = "relreason.coordinator.disconnect";

  /**
   * Coordinator. Request {@code ParameterRequest}, reply {@code ParameterSnapshot} (or {@code
   * Error}).
   */
  public static final String COORDINATOR_PARAMS = "relreason.coordinator.params";

  /**
   * Coordinator, VIEWS mode. Request {@code Features}, reply {@code FeatureGradients} once the
   * whole minibatch's features are in (or {@code Error}).
   */
  public static final String COORDINATOR_FEATURES = "relreason.coordinator.features";

  /** Coordinator. Send {@code Heartbeat} from each worker every heartbeat interval. */
  public static final String HEARTBEAT = "relreason.heartbeat";

  /** All workers. Publish {@code ParameterSnapshot} after each update (FULL or DELTA). */
  public static final String PARAMS = "relreason.params";

  /**
   * Dashboard and loggers. Publish of training and evaluation metrics; local to the coordinator's
   * process, so its payload is defined by the coordinator, not by this protocol.
   */
  public static final String METRICS = "relreason.metrics";

  private static final Pattern WORKER_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");

  private Addresses() {}

  /** One worker. Request {@code ShardTask}, reply {@code ShardResult} (or {@code Error}). */
  public static String workerTask(String workerId) {
    return worker(workerId, "task");
  }

  /** One worker. Request {@code EvalTask}, reply {@code EvalResult} (or {@code Error}). */
  public static String workerEval(String workerId) {
    return worker(workerId, "eval");
  }

  /** One worker. Send {@code Disconnect}: the coordinator evicts the worker or ends the run. */
  public static String workerControl(String workerId) {
    return worker(workerId, "control");
  }

  /**
   * Whether {@code workerId} can be part of an address: 1 to 128 characters from {@code
   * [A-Za-z0-9_-]} (a dot would create ambiguous addresses).
   */
  public static boolean isValidWorkerId(String workerId) {
    return workerId != null && WORKER_ID.matcher(workerId).matches();
  }

  private static String worker(String workerId, String channel) {
    if (!isValidWorkerId(workerId)) {
      throw new IllegalArgumentException(
          "worker id must match " + WORKER_ID.pattern() + ", got '" + workerId + "'");
    }
    return PREFIX + "worker." + workerId + "." + channel;
  }
}

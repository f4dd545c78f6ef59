package org.relreason.coordinator;

import org.relreason.protocol.v1.Disconnect;

/**
 * Who may join a run, and who may take a worker out of it. Pure, so the coordinator's handlers only
 * ask and act.
 *
 * <p>Registrations are capped at the configured worker count plus a little slack ({@link
 * #capacity}): a replacement worker may register before the coordinator has noticed that the one it
 * replaces is gone, but a peer cannot register unlimited fake workers. A {@code Disconnect} for
 * worker X is honoured only when X says it itself (its header's sender is X) and comes from the
 * cluster node X registered from; with a run secret both are covered by the message's HMAC, so a
 * node without the secret cannot evict anyone.
 */
final class MembershipPolicy {
  /** Registered workers allowed beyond the configured count, at least. */
  static final int SLACK = 2;

  private MembershipPolicy() {}

  /** How many workers may be registered (members and joiners) with {@code workers} configured. */
  static int capacity(int workers) {
    return workers + Math.max(SLACK, workers / 4);
  }

  /**
   * Why one more worker may not register with {@code registered} registered already, or {@code
   * null} if it may.
   */
  static String fullRefusal(int registered, int workers) {
    int cap = capacity(workers);
    return registered < cap
        ? null
        : "the run has "
            + registered
            + " registered workers, the most it takes ("
            + workers
            + " configured + "
            + (cap - workers)
            + " spare)";
  }

  /**
   * Why {@code d} must not evict its worker, or {@code null} if it may.
   *
   * @param node the node id the Disconnect came with ({@code Headers.NODE_ID}), or {@code null}
   * @param registeredNode the node id the worker registered from, or {@code null} if none was given
   *     (a worker in the coordinator's JVM)
   */
  static String disconnectRefusal(Disconnect d, String node, String registeredNode) {
    String worker = d.getWorkerId();
    String sender = d.getHeader().getSenderId();
    if (!worker.equals(sender)) {
      return "a Disconnect for worker '" + worker + "' sent by '" + sender + "'";
    }
    if (registeredNode != null && !registeredNode.equals(node)) {
      return "a Disconnect for worker '" + worker + "' from another cluster node than its own";
    }
    return null;
  }
}

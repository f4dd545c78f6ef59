package org.relreason.protocol;

import org.relreason.protocol.v1.Header;

/** Builds the {@link Header} every relreason message carries. */
public final class Headers {
  /**
   * Event-bus delivery header on a {@code WorkerHello} naming the sender's Vert.x cluster node id,
   * so that the coordinator can evict a worker as soon as its node leaves the cluster.
   */
  public static final String NODE_ID = "relreason-node-id";

  /** The coordinator's {@code Header.sender_id}. */
  public static final String COORDINATOR = "coordinator";

  private Headers() {}

  /** A header of this build's protocol version, stamped with the current wall clock. */
  public static Header of(String runId, long step, long paramVersion, String senderId) {
    return Header.newBuilder()
        .setProtocolVersion(Validation.PROTOCOL_VERSION)
        .setRunId(runId)
        .setStep(step)
        .setParamVersion(paramVersion)
        .setSenderId(senderId)
        .setSentUnixMillis(System.currentTimeMillis())
        .build();
  }
}

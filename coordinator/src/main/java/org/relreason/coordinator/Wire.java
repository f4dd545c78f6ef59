package org.relreason.coordinator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.Message;
import org.relreason.observe.RunObserver;
import org.relreason.observe.Traffic.Direction;
import org.relreason.observe.Traffic.Kind;
import org.relreason.protocol.Headers;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Header;

/**
 * The coordinator's side of every message: its headers, its typed errors, and the message-byte
 * metric. Every reply and every message in goes through here, so the metric holds all the
 * coordinator sends and receives, not only its requests.
 */
final class Wire {
  private static final String ME = Headers.COORDINATOR;

  private final String runId;
  private final Position at;
  private final RunObserver observer;

  Wire(String runId, Position at, RunObserver observer) {
    this.runId = runId;
    this.at = at;
    this.observer = observer;
  }

  Header header(long step, long version) {
    return Headers.of(runId, step, version, ME);
  }

  /** The header of the run's current step and version. */
  Header header() {
    return header(at.step(), at.version);
  }

  /**
   * The header of a refusal: without the run id, which must not be told to a sender that did not
   * know it (a peer guessing run ids would otherwise read the real one from the first refusal).
   */
  Header refusalHeader() {
    return Headers.of("", at.step(), at.version, ME);
  }

  Error error(Error.Code code, String detail, String messageType) {
    return Error.newBuilder()
        .setHeader(refusalHeader())
        .setCode(code)
        .setDetail(detail)
        .setMessageType(messageType)
        .build();
  }

  /** Replies with {@code body}, counted in the message-byte metric. */
  void reply(Message<Object> to, com.google.protobuf.Message body, Kind kind) {
    sent(body, kind);
    to.reply(body);
  }

  /** Counts a message the coordinator sends (a reply, a task, a goodbye). */
  void sent(com.google.protobuf.Message body, Kind kind) {
    observer.onMessage(Direction.SENT, kind, body.getSerializedSize());
  }

  /**
   * Counts a message that came in, whatever becomes of it: a protobuf message by its serialized
   * size, bytes from another JVM by their protobuf part (without the 4-byte length prefix); an
   * {@code Error} counts as control traffic.
   */
  void received(Object body, Kind kind) {
    long bytes =
        body instanceof com.google.protobuf.Message m
            ? m.getSerializedSize()
            : body instanceof Buffer b ? Math.max(0, b.length() - Integer.BYTES) : 0;
    observer.onMessage(Direction.RECEIVED, body instanceof Error ? Kind.CONTROL : kind, bytes);
  }
}

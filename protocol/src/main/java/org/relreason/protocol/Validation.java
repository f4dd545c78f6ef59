package org.relreason.protocol;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Header;

/**
 * Checks a receiver applies to every incoming message before acting on it. Each failure is a {@link
 * ProtocolException} whose code can be sent back as an {@link Error}.
 */
public final class Validation {
  /** The protocol version this build speaks and accepts: messages of package relreason.v1. */
  public static final int PROTOCOL_VERSION = 1;

  private Validation() {}

  /**
   * The {@link Header} of {@code message} (field 1 of every wire type).
   *
   * @throws ProtocolException MALFORMED if the type has no header field or the sender left it unset
   */
  public static Header header(Message message) {
    String type = message.getDescriptorForType().getFullName();
    FieldDescriptor field = message.getDescriptorForType().findFieldByName("header");
    if (field == null || field.getMessageType() != Header.getDescriptor()) {
      throw new ProtocolException(Error.Code.MALFORMED, type, "type has no Header field");
    }
    if (!message.hasField(field)) {
      throw new ProtocolException(Error.Code.MALFORMED, type, "header is not set");
    }
    return (Header) message.getField(field);
  }

  /**
   * Checks protocol version and run id of {@code message}'s header and returns the header.
   *
   * @param expectedRunId the receiver's run id
   */
  public static Header check(Message message, String expectedRunId) {
    Header header = header(message);
    String type = message.getDescriptorForType().getFullName();
    requireProtocolVersion(header, type);
    requireRunId(header, expectedRunId, type);
    return header;
  }

  /**
   * @throws ProtocolException WRONG_PROTOCOL_VERSION, naming both versions, unless the header says
   *     {@link #PROTOCOL_VERSION}
   */
  public static void requireProtocolVersion(Header header, String messageType) {
    if (header.getProtocolVersion() != PROTOCOL_VERSION) {
      throw new ProtocolException(
          Error.Code.WRONG_PROTOCOL_VERSION,
          messageType,
          "sender "
              + quoted(header.getSenderId())
              + " speaks protocol version "
              + Integer.toUnsignedString(header.getProtocolVersion())
              + ", this receiver speaks version "
              + PROTOCOL_VERSION);
    }
  }

  /**
   * @throws ProtocolException WRONG_MODEL_CONFIG unless the header's run id is {@code
   *     expectedRunId}: a message from another run must not reach this run's parameters
   */
  public static void requireRunId(Header header, String expectedRunId, String messageType) {
    if (!header.getRunId().equals(expectedRunId)) {
      throw new ProtocolException(
          Error.Code.WRONG_MODEL_CONFIG,
          messageType,
          "run id "
              + quoted(header.getRunId())
              + " from sender "
              + quoted(header.getSenderId())
              // the expected id is not named: this text goes back to a sender that did not know it
              + " is not this run's");
    }
  }

  /**
   * @throws ProtocolException STALE if the header's parameter version lags {@code currentVersion}
   *     by more than {@code maxStaleness} (0 for fully synchronous training)
   */
  public static void requireFresh(
      Header header, long currentVersion, long maxStaleness, String messageType) {
    long lag = currentVersion - header.getParamVersion();
    if (lag > maxStaleness) {
      throw new ProtocolException(
          Error.Code.STALE,
          messageType,
          "computed with parameter version "
              + header.getParamVersion()
              + ", current is "
              + currentVersion
              + " (allowed lag "
              + maxStaleness
              + ")");
    }
  }

  /**
   * @param field what the values are, e.g. {@code "ShardResult.gradient"}
   * @throws ProtocolException NON_FINITE naming the first NaN or infinite element
   */
  public static void requireFinite(float[] values, String field, String messageType) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new ProtocolException(
            Error.Code.NON_FINITE, messageType, field + "[" + i + "] is " + values[i]);
      }
    }
  }

  private static String quoted(String text) {
    return "'" + text + "'";
  }
}

package org.relreason.protocol;

import java.util.Objects;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Header;

/**
 * A message that cannot be accepted, with the {@link Error.Code} to report back to its sender.
 *
 * <p>Unchecked because it is thrown from inside Vert.x codec callbacks, which cannot declare
 * checked exceptions.
 */
public final class ProtocolException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The whole detail an unauthenticated sender is told. */
  public static final String UNAUTHENTICATED_DETAIL = "message authentication failed";

  private final Error.Code code;
  private final String messageType;
  private final String detail;

  /**
   * @param code what went wrong
   * @param messageType full protobuf name of the offending message type, e.g. {@code
   *     relreason.v1.ShardResult}
   * @param detail explanation naming the field and the values involved
   */
  public ProtocolException(Error.Code code, String messageType, String detail) {
    this(code, messageType, detail, null);
  }

  /** As {@link #ProtocolException(Error.Code, String, String)}, keeping the underlying cause. */
  public ProtocolException(Error.Code code, String messageType, String detail, Throwable cause) {
    super(code + " " + messageType + ": " + detail, cause);
    this.code = Objects.requireNonNull(code, "code");
    this.messageType = Objects.requireNonNull(messageType, "messageType");
    this.detail = detail;
  }

  /** The typed error code. */
  public Error.Code code() {
    return code;
  }

  /** Full protobuf name of the message type the error is about. */
  public String messageType() {
    return messageType;
  }

  /** The explanation without the code and type prefix of {@link #getMessage()}. */
  public String detail() {
    return detail;
  }

  /**
   * This exception as an {@link Error} reply sent under {@code header}. An {@code UNAUTHENTICATED}
   * refusal goes to a sender that may not hold the run secret, so it is sent without a header
   * (whatever {@code header} is given) and with a fixed detail: it tells nothing about the run, nor
   * why the check failed (the receiver logs that).
   */
  public Error toError(Header header) {
    if (code == Error.Code.UNAUTHENTICATED) {
      return Error.newBuilder()
          .setCode(code)
          .setDetail(UNAUTHENTICATED_DETAIL)
          .setMessageType(messageType)
          .build();
    }
    return Error.newBuilder()
        .setHeader(header)
        .setCode(code)
        .setDetail(detail)
        .setMessageType(messageType)
        .build();
  }
}

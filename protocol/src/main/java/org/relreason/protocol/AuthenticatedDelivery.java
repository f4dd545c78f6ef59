package org.relreason.protocol;

import io.vertx.core.eventbus.DeliveryContext;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import java.util.function.Consumer;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.Header;

/**
 * In cluster mode with a run secret, lets through to relreason's consumers only messages whose
 * bodies are relreason protobuf messages that passed their codec's checks. The codecs' HMAC covers
 * only bodies they encode; a body sent with one of Vert.x's own codecs (a {@code Buffer}, a string,
 * JSON) carries no MAC, and is refused here like a message whose MAC fails.
 *
 * <p>An inbound interceptor on every relreason address (prefix {@link Addresses#PREFIX}) except the
 * process-local {@link Addresses#METRICS}: it decodes the body before any handler (a body is
 * decoded once, so the handler reads the same instance), and on a refusal tells {@code onRefused},
 * answers a request with the refusal's {@code Error} (for {@code UNAUTHENTICATED} no header and a
 * fixed detail, see {@link ProtocolException#toError}) and drops the message. Replies (to {@code
 * __vertx.reply.*} addresses) go to the code that made the request, which checks them itself.
 */
public final class AuthenticatedDelivery {
  private AuthenticatedDelivery() {}

  /**
   * Installs the check on {@code bus}.
   *
   * @param onRefused told of each refused message, on the receiving handler's thread
   */
  public static void install(EventBus bus, Consumer<ProtocolException> onRefused) {
    bus.addInboundInterceptor(
        (DeliveryContext<Object> ctx) -> {
          ProtocolException refusal = check(ctx.message());
          if (refusal == null) {
            ctx.next();
            return;
          }
          onRefused.accept(refusal);
          if (ctx.message().replyAddress() != null) {
            ctx.message().reply(refusal.toError(BARE));
          }
        });
  }

  /** A header telling only the protocol version. */
  private static final Header BARE =
      Header.newBuilder().setProtocolVersion(Validation.PROTOCOL_VERSION).build();

  /** Why {@code m} must not reach its consumer, or {@code null}. */
  static ProtocolException check(Message<Object> m) {
    String address = m.address();
    if (address == null
        || !address.startsWith(Addresses.PREFIX)
        || address.equals(Addresses.METRICS)) {
      return null;
    }
    Object body;
    try {
      body = m.body();
    } catch (ProtocolException e) {
      return e;
    }
    if (body instanceof com.google.protobuf.Message) {
      return null;
    }
    return new ProtocolException(
        Error.Code.UNAUTHENTICATED,
        body == null ? "null" : body.getClass().getName(),
        "message authentication failed: a body without a MAC sent to " + address);
  }
}

package org.relreason.protocol;

import com.google.protobuf.Message;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.List;
import org.relreason.protocol.v1.Disconnect;
import org.relreason.protocol.v1.Error;
import org.relreason.protocol.v1.EvalResult;
import org.relreason.protocol.v1.EvalTask;
import org.relreason.protocol.v1.FeatureGradients;
import org.relreason.protocol.v1.Features;
import org.relreason.protocol.v1.Heartbeat;
import org.relreason.protocol.v1.ParameterRequest;
import org.relreason.protocol.v1.ParameterSnapshot;
import org.relreason.protocol.v1.RegistrationReply;
import org.relreason.protocol.v1.ShardResult;
import org.relreason.protocol.v1.ShardTask;
import org.relreason.protocol.v1.WorkerHello;

/**
 * The codecs of every v1 wire type, and their one-time registration on an event bus.
 *
 * <p>Each codec is registered as the <em>default</em> codec of its class, so senders just {@code
 * send(address, shardTask)} without naming a codec. Call {@link #registerAll(Vertx)} once per
 * Vert.x instance (a second call fails, as Vert.x refuses duplicate codecs).
 */
public final class Codecs {
  /**
   * The messages that travel on the event bus on their own ({@code Header}, {@code Tensor} and the
   * other embedded types only travel inside them).
   */
  public static final List<Class<? extends Message>> WIRE_TYPES =
      codecs(ProtoCodec.DEFAULT_MAX_BYTES).stream()
          .<Class<? extends Message>>map(ProtoCodec::type)
          .toList();

  private Codecs() {}

  /**
   * One codec per {@link #WIRE_TYPES wire type}, each refusing encodings above {@code maxBytes}.
   */
  public static List<ProtoCodec<?>> codecs(int maxBytes) {
    return List.of(
        new ProtoCodec<>(WorkerHello.class, WorkerHello.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(RegistrationReply.class, RegistrationReply.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(Heartbeat.class, Heartbeat.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(Disconnect.class, Disconnect.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(ShardTask.class, ShardTask.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(ShardResult.class, ShardResult.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(Features.class, Features.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(FeatureGradients.class, FeatureGradients.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(ParameterSnapshot.class, ParameterSnapshot.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(ParameterRequest.class, ParameterRequest.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(EvalTask.class, EvalTask.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(EvalResult.class, EvalResult.getDefaultInstance(), maxBytes),
        new ProtoCodec<>(Error.class, Error.getDefaultInstance(), maxBytes));
  }

  /** Registers every wire type's codec on {@code vertx}'s event bus with the default size limit. */
  public static List<ProtoCodec<?>> registerAll(Vertx vertx) {
    return registerAll(vertx.eventBus(), ProtoCodec.DEFAULT_MAX_BYTES);
  }

  /**
   * Registers every wire type's codec as the default codec for its class.
   *
   * @return the registered codecs
   * @throws IllegalStateException if a codec for one of these classes is already registered
   */
  public static List<ProtoCodec<?>> registerAll(EventBus eventBus, int maxBytes) {
    List<ProtoCodec<?>> codecs = codecs(maxBytes);
    codecs.forEach(codec -> register(eventBus, codec));
    return codecs;
  }

  /** The codec for {@code type}, from {@code codecs}. */
  @SuppressWarnings("unchecked") // Checked by comparing the classes.
  public static <T extends Message> ProtoCodec<T> find(List<ProtoCodec<?>> codecs, Class<T> type) {
    return (ProtoCodec<T>)
        codecs.stream()
            .filter(codec -> codec.type() == type)
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(type + " is not a wire type"));
  }

  private static <T extends Message> void register(EventBus eventBus, ProtoCodec<T> codec) {
    eventBus.registerDefaultCodec(codec.type(), codec);
  }
}

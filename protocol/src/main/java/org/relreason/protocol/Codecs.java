package org.relreason.protocol;

import com.google.protobuf.Message;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
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

  /** The codecs registered by {@link #registerAll}, per event bus (weakly: a closed one goes). */
  private static final Map<EventBus, List<ProtoCodec<?>>> REGISTERED =
      Collections.synchronizedMap(new WeakHashMap<>());

  private Codecs() {}

  /**
   * One codec per {@link #WIRE_TYPES wire type}, each refusing encodings above {@code maxBytes}.
   */
  public static List<ProtoCodec<?>> codecs(int maxBytes) {
    return codecs(maxBytes, null);
  }

  /**
   * One codec per {@link #WIRE_TYPES wire type}, each refusing encodings above {@code maxBytes} and
   * authenticating every message with {@code auth} ({@code null}: none).
   */
  public static List<ProtoCodec<?>> codecs(int maxBytes, MessageAuth auth) {
    return List.of(
        codec(WorkerHello.class, WorkerHello.getDefaultInstance(), maxBytes, auth),
        codec(RegistrationReply.class, RegistrationReply.getDefaultInstance(), maxBytes, auth),
        codec(Heartbeat.class, Heartbeat.getDefaultInstance(), maxBytes, auth),
        codec(Disconnect.class, Disconnect.getDefaultInstance(), maxBytes, auth),
        codec(ShardTask.class, ShardTask.getDefaultInstance(), maxBytes, auth),
        codec(ShardResult.class, ShardResult.getDefaultInstance(), maxBytes, auth),
        codec(Features.class, Features.getDefaultInstance(), maxBytes, auth),
        codec(FeatureGradients.class, FeatureGradients.getDefaultInstance(), maxBytes, auth),
        codec(ParameterSnapshot.class, ParameterSnapshot.getDefaultInstance(), maxBytes, auth),
        codec(ParameterRequest.class, ParameterRequest.getDefaultInstance(), maxBytes, auth),
        codec(EvalTask.class, EvalTask.getDefaultInstance(), maxBytes, auth),
        codec(EvalResult.class, EvalResult.getDefaultInstance(), maxBytes, auth),
        codec(Error.class, Error.getDefaultInstance(), maxBytes, auth));
  }

  private static <T extends Message> ProtoCodec<T> codec(
      Class<T> type, T defaultInstance, int maxBytes, MessageAuth auth) {
    return new ProtoCodec<>(type, defaultInstance, maxBytes, auth);
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
    return registerAll(eventBus, maxBytes, null);
  }

  /**
   * As {@link #registerAll(EventBus, int)}, every codec authenticating its messages with {@code
   * auth} ({@code null}: none).
   */
  public static List<ProtoCodec<?>> registerAll(EventBus eventBus, int maxBytes, MessageAuth auth) {
    List<ProtoCodec<?>> codecs = codecs(maxBytes, auth);
    codecs.forEach(codec -> register(eventBus, codec));
    REGISTERED.put(eventBus, codecs);
    return codecs;
  }

  /**
   * The codec for {@code type} that {@link #registerAll} registered on {@code eventBus}, or one
   * with the default limit and no authentication if none was: for bytes that travel as a {@code
   * Buffer} body ({@link ProtoCodec#encodeDetached}), which must be encoded and checked as the
   * bus's own codec would.
   */
  public static <T extends Message> ProtoCodec<T> registered(EventBus eventBus, Class<T> type) {
    List<ProtoCodec<?>> codecs = REGISTERED.get(eventBus);
    return find(codecs != null ? codecs : codecs(ProtoCodec.DEFAULT_MAX_BYTES), type);
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

package org.relreason.coordinator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.metrics.MetricsOptions;
import io.vertx.core.net.PfxOptions;
import io.vertx.core.net.SocketAddress;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.function.Consumer;
import org.relreason.protocol.AuthenticatedDelivery;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.MessageAuth;
import org.relreason.protocol.ProtoCodec;
import org.relreason.protocol.ProtocolException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A clustered Vert.x that joins only the configured members: Hazelcast from {@link
 * ConfigUtil#loadConfig()} (which keeps Vert.x's {@code __vertx.*} map settings), either a TCP-IP
 * join with an explicit member list or Hazelcast's Kubernetes discovery by DNS lookup, multicast
 * and auto-detection always off, phone-home off, bound to one interface; the event bus on the same
 * host, optionally with TLS and required client certificates. (A member written {@code
 * host:5701-5710} throws in Hazelcast 5.6: list hosts and rely on port auto-increment.)
 *
 * <p>Hazelcast's open-source edition has no TLS for its own member-to-member traffic; it carries
 * only membership and the event-bus subscription map. Tensors travel on the event bus, which is
 * what {@link ClusterSettings.Tls} protects.
 *
 * <p>With a run secret ({@link ClusterSettings#secret()}) every relreason message carries an HMAC
 * ({@link MessageAuth}): the codecs are registered authenticating, and {@link
 * AuthenticatedDelivery} keeps every message that fails the check (or has no MAC) from relreason's
 * consumers.
 */
public final class ClusterSupport {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSupport.class);

  /** Hazelcast's property naming the Kubernetes service whose DNS records list the members. */
  static final String SERVICE_DNS = "service-dns";

  private ClusterSupport() {}

  /** As {@link #start(ClusterSettings)} with TCP-IP members, any event-bus port and no TLS. */
  public static Future<Vertx> start(
      String host, List<String> members, int hazelcastPort, String clusterName) {
    return start(
        new ClusterSettings(
            host,
            members,
            hazelcastPort,
            clusterName,
            0,
            ClusterSettings.Discovery.TCP,
            null,
            null));
  }

  /** Starts a clustered Vert.x with the relreason codecs registered. */
  public static Future<Vertx> start(ClusterSettings settings) {
    return start(settings, null);
  }

  /**
   * As {@link #start(ClusterSettings)}, counting the event bus's wire bytes in {@code meter} (none
   * if null).
   */
  public static Future<Vertx> start(ClusterSettings settings, WireMeter meter) {
    return start(settings, meter, DEFAULT_MAX_FRAME_BYTES, detail -> {});
  }

  /** Frame limit when none is derived from a model: the codecs' limit plus the envelope. */
  public static final int DEFAULT_MAX_FRAME_BYTES =
      ProtoCodec.DEFAULT_MAX_BYTES + FrameGuard.ENVELOPE_BYTES;

  /**
   * As {@link #start(ClusterSettings, WireMeter)}, with the event bus behind a {@link FrameGuard}
   * that closes connections sending a frame over {@code maxFrameBytes} and tells {@code onRefused}
   * (on the guard's thread). The guard takes the public bus port; the event bus itself listens on a
   * free loopback port and advertises the guard's, or {@link ClusterSettings#busPublicPort()} when
   * that is set.
   */
  public static Future<Vertx> start(
      ClusterSettings settings, WireMeter meter, int maxFrameBytes, Consumer<String> onRefused) {
    return start(settings, meter, maxFrameBytes, onRefused, e -> {});
  }

  /**
   * As {@link #start(ClusterSettings, WireMeter, int, Consumer)}; with a run secret, tells {@code
   * onMessageRefused} of every message refused for its MAC (or for having none), on the receiving
   * handler's thread, after logging it.
   */
  public static Future<Vertx> start(
      ClusterSettings settings,
      WireMeter meter,
      int maxFrameBytes,
      Consumer<String> onRefused,
      Consumer<ProtocolException> onMessageRefused) {
    EventBusOptions bus = eventBusOptions(settings);
    FrameGuard guard;
    try {
      // bound first: the event bus must be told the public port; blocks (off the event loop)
      guard = FrameGuard.start(bus, maxFrameBytes).await().onRefused(onRefused);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    int inner = freeLoopbackPort();
    bus.setHost(LOOPBACK).setPort(inner);
    if (settings.busPublicPort() == 0) {
      bus.setClusterPublicPort(guard.port());
    }
    VertxOptions options = new VertxOptions().setEventBusOptions(bus);
    VertxBuilder builder = Vertx.builder();
    if (meter != null) {
      options.setMetricsOptions(new MetricsOptions().setEnabled(true));
      builder.withMetrics(meter);
    }
    return builder
        .with(options)
        .withClusterManager(new HazelcastClusterManager(hazelcastConfig(settings)))
        .buildClustered()
        .onFailure(e -> guard.close())
        .onSuccess(
            vertx -> {
              LOG.info("joined {}", settings); // never shows the secret
              MessageAuth auth = settings.secret() == null ? null : settings.secret().newAuth();
              Codecs.registerAll(vertx.eventBus(), ProtoCodec.DEFAULT_MAX_BYTES, auth);
              if (auth != null) {
                AuthenticatedDelivery.install(
                    vertx.eventBus(),
                    e -> {
                      LOG.warn("refused: {}", e.getMessage());
                      onMessageRefused.accept(e);
                    });
              }
              guard.target(SocketAddress.inetSocketAddress(inner, LOOPBACK));
              // closed with the clustered Vert.x (after its event bus)
              ((VertxInternal) vertx).addCloseHook(done -> guard.close().onComplete(done));
            });
  }

  private static final String LOOPBACK = "127.0.0.1";

  /** A loopback port free now (the event bus binds it moments later; a clash fails the start). */
  private static int freeLoopbackPort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("no free loopback port for the event bus", e);
    }
  }

  /** The Hazelcast configuration of {@code settings}: only the configured join method is on. */
  public static Config hazelcastConfig(ClusterSettings settings) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(settings.clusterName());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.local.localAddress", settings.host());
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(settings.hazelcastPort())
        .setPortAutoIncrement(true)
        .setPublicAddress(settings.host());
    net.getInterfaces().setEnabled(true).setInterfaces(List.of(settings.host()));
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getAwsConfig().setEnabled(false);
    join.getGcpConfig().setEnabled(false);
    join.getAzureConfig().setEnabled(false);
    join.getEurekaConfig().setEnabled(false);
    if (settings.discovery() == ClusterSettings.Discovery.KUBERNETES) {
      join.getTcpIpConfig().setEnabled(false);
      join.getKubernetesConfig()
          .setEnabled(true)
          .setProperty(SERVICE_DNS, settings.k8sServiceDns());
    } else {
      join.getKubernetesConfig().setEnabled(false);
      join.getTcpIpConfig().setEnabled(true).setMembers(settings.members());
    }
    return hz;
  }

  /**
   * The event-bus options of {@code settings}: host, port, the address advertised to other nodes,
   * and TLS if configured.
   */
  public static EventBusOptions eventBusOptions(ClusterSettings settings) {
    EventBusOptions bus =
        new EventBusOptions()
            .setHost(settings.host())
            .setPort(settings.busPort())
            .setClusterPublicHost(settings.advertisedBusHost());
    if (settings.busPublicPort() != 0) {
      bus.setClusterPublicPort(settings.busPublicPort());
    }
    ClusterSettings.Tls tls = settings.tls();
    if (tls != null) {
      bus.setSsl(true)
          .setClientAuth(ClientAuth.REQUIRED)
          .setKeyCertOptions(
              new PfxOptions().setPath(tls.keyStore().toString()).setPassword(tls.password()))
          .setTrustOptions(
              new PfxOptions().setPath(tls.trustStore().toString()).setPassword(tls.password()));
    }
    return bus;
  }
}

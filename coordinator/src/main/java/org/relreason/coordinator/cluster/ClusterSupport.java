package org.relreason.coordinator.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.List;
import org.relreason.protocol.Codecs;

/**
 * A clustered Vert.x that joins only the configured members: Hazelcast from {@link
 * ConfigUtil#loadConfig()} (which keeps Vert.x's {@code __vertx.*} map settings), TCP-IP join with
 * an explicit member list, multicast and auto-detection off, phone-home off, bound to one
 * interface; the event bus on the same host. (A member written {@code host:5701-5710} throws in
 * Hazelcast 5.6: list hosts and rely on port auto-increment.)
 */
public final class ClusterSupport {
  private ClusterSupport() {}

  /**
   * @param host address this node binds and advertises, e.g. {@code 127.0.0.1}
   * @param members hosts of the cluster's members (including this one)
   * @param hazelcastPort first Hazelcast port to try (auto-increments when taken)
   * @param clusterName Hazelcast cluster name: members of another cluster on the same hosts and
   *     ports are not joined (two runs on one machine stay apart)
   */
  public static Future<Vertx> start(
      String host, List<String> members, int hazelcastPort, String clusterName) {
    Config hz = ConfigUtil.loadConfig();
    hz.setClusterName(clusterName);
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.local.localAddress", host);
    NetworkConfig net = hz.getNetworkConfig();
    net.setPort(hazelcastPort).setPortAutoIncrement(true).setPublicAddress(host);
    net.getInterfaces().setEnabled(true).setInterfaces(List.of(host));
    JoinConfig join = net.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(members);
    EventBusOptions bus = new EventBusOptions().setHost(host).setPort(0).setClusterPublicHost(host);
    return Vertx.builder()
        .with(new VertxOptions().setEventBusOptions(bus))
        .withClusterManager(new HazelcastClusterManager(hz))
        .buildClustered()
        .onSuccess(Codecs::registerAll);
  }
}

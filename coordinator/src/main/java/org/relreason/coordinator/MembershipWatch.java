package org.relreason.coordinator;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.UUID;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells the coordinator, on its own context, which Vert.x node left the Hazelcast cluster, so that
 * the workers of a crashed JVM are evicted as soon as Hazelcast notices instead of after the
 * heartbeat timeout or a shard deadline.
 *
 * <p>It adds its own Hazelcast {@link MembershipListener} rather than using Vert.x's {@code
 * ClusterManager.nodeListener}, which holds a single listener that the clustered event bus itself
 * needs. Node ids are Vert.x's ({@code ClusterManager.getNodeId()}), which the Hazelcast cluster
 * manager publishes as the member attribute {@value #NODE_ID_ATTRIBUTE}. Outside a Hazelcast
 * cluster (the embedded mode) it does nothing.
 */
final class MembershipWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MembershipWatch.class);

  /** The member attribute under which vertx-hazelcast stores the Vert.x node id. */
  static final String NODE_ID_ATTRIBUTE = "__vertx.nodeId";

  private final HazelcastClusterManager manager;
  private final UUID registration;

  private MembershipWatch(HazelcastClusterManager manager, UUID registration) {
    this.manager = manager;
    this.registration = registration;
  }

  /**
   * Starts watching; {@code onNodeLeft} runs on the caller's context with the Vert.x node id.
   *
   * @param vertx a clustered Vert.x (anything else gives a watch that never fires)
   */
  static MembershipWatch start(Vertx vertx, Consumer<String> onNodeLeft) {
    if (!(((VertxInternal) vertx).clusterManager() instanceof HazelcastClusterManager hz)) {
      return new MembershipWatch(null, null);
    }
    Context context = vertx.getOrCreateContext();
    MembershipListener listener =
        new MembershipListener() {
          @Override
          public void memberAdded(MembershipEvent event) {}

          @Override
          public void memberRemoved(MembershipEvent event) {
            String node = event.getMember().getAttribute(NODE_ID_ATTRIBUTE);
            LOG.info("cluster member {} (node {}) left", event.getMember().getAddress(), node);
            if (node != null) {
              context.runOnContext(v -> onNodeLeft.accept(node));
            }
          }
        };
    UUID id = hz.getHazelcastInstance().getCluster().addMembershipListener(listener);
    return new MembershipWatch(hz, id);
  }

  @Override
  public void close() {
    if (manager != null && manager.isActive()) {
      manager.getHazelcastInstance().getCluster().removeMembershipListener(registration);
    }
  }
}

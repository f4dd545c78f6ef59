package org.relreason.coordinator.cluster;

import io.vertx.core.VertxOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.core.spi.metrics.EventBusMetrics;
import io.vertx.core.spi.metrics.VertxMetrics;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts every byte of the event-bus frames one clustered Vert.x writes to and reads from other
 * nodes: requests, replies and errors alike, with their addresses and headers (Vert.x's {@link
 * EventBusMetrics#messageWritten} and {@link EventBusMetrics#messageRead}, which the clustered
 * event bus calls with each frame's length). Messages delivered inside the JVM cost no wire bytes
 * and are not counted.
 *
 * <p>Event-bus interceptors would not do: on a clustered bus an inbound interceptor runs before the
 * body is decoded, so it cannot size what arrives (measured: counting bodies there saw nothing of
 * the shard results that come in, about half of a step's traffic).
 *
 * <p>Install it with {@link ClusterSupport#start(ClusterSettings, WireMeter)}; one meter per
 * Vert.x.
 */
public final class WireMeter implements VertxMetricsFactory {
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();

  /** Bytes written to other nodes so far. */
  public long sent() {
    return sent.get();
  }

  /** Bytes read from other nodes so far. */
  public long received() {
    return received.get();
  }

  /** Bytes both ways so far. */
  public long total() {
    return sent() + received();
  }

  @Override
  public VertxMetrics metrics(VertxOptions options) {
    return new VertxMetrics() {
      @Override
      public EventBusMetrics<?> createEventBusMetrics() {
        return new EventBusMetrics<Void>() {
          @Override
          public void messageWritten(String address, int numberOfBytes) {
            sent.addAndGet(numberOfBytes);
          }

          @Override
          public void messageRead(String address, int numberOfBytes) {
            received.addAndGet(numberOfBytes);
          }
        };
      }
    };
  }
}

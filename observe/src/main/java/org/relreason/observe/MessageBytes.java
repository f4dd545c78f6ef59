package org.relreason.observe;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * {@code relreason_message_bytes_total{direction, kind}}: protobuf bytes of the messages a process
 * sent and received (the serialized size, also for messages passed by reference on a local bus).
 */
public final class MessageBytes {
  private final Counter counter;

  /** Registers the counter in {@code registry} (once per registry). */
  public MessageBytes(PrometheusRegistry registry) {
    counter =
        Counter.builder()
            .name("relreason_message_bytes_total")
            .help("Protobuf bytes of parameter-server messages, by direction and kind")
            .labelNames("direction", "kind")
            .register(registry);
    // Zero series for every label pair, so dashboards see the series before the first message.
    for (Traffic.Direction d : Traffic.Direction.values()) {
      for (Traffic.Kind k : Traffic.Kind.values()) {
        counter.labelValues(d.label(), k.label());
      }
    }
  }

  /** Counts one message. */
  public void add(Traffic.Direction direction, Traffic.Kind kind, long bytes) {
    counter.labelValues(direction.label(), kind.label()).inc(bytes);
  }
}

package org.relreason.coordinator;

import org.relreason.protocol.v1.ParameterSnapshot;

/**
 * The packed parameters the workers pull or receive with their first task of a step. Packing 21M
 * floats (ResNet-34) is not free, so the last snapshot is kept and handed out again while its
 * version is current; the step loop packs the next one off the event loop.
 */
final class Snapshots {
  private final ParameterStore parameters;
  private final Wire wire;
  private final String configHash;
  private ParameterSnapshot last;

  Snapshots(ParameterStore parameters, Wire wire, String configHash) {
    this.parameters = parameters;
    this.wire = wire;
    this.configHash = configHash;
  }

  /** The snapshot of {@code version}: the last one if it is that version, else packed now. */
  ParameterSnapshot of(long step, long version) {
    if (last == null || last.getHeader().getParamVersion() != version) {
      last = pack(step, version);
    }
    return last;
  }

  /** A new snapshot of the current parameters, not kept (safe off the event loop). */
  ParameterSnapshot pack(long step, long version) {
    return parameters.snapshot(wire.header(step, version), configHash);
  }

  /** Keeps {@code s} as the last snapshot (on the event loop). */
  void publish(ParameterSnapshot s) {
    last = s;
  }
}

package org.relreason.coordinator;

import java.util.Arrays;
import org.relreason.model.train.Adam;
import org.relreason.model.train.Optimizer;
import org.relreason.model.train.PretrainModel;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.v1.Header;
import org.relreason.protocol.v1.ParameterSnapshot;

/**
 * The master parameters and the method's optimizer, kept in step with the master model (DJL's
 * {@code ParameterServer}, one flat vector here). Lifecycle: built from the model's initial
 * parameters → {@link #restore} from a checkpoint → {@link #step} once per applied step, or {@link
 * #adopt} after the method's start-of-epoch work changed them. Called from one thread at a time
 * (the coordinator's ordered executor); {@link #copy} may be called from any thread and never sees
 * the middle of an optimizer step. No Vert.x.
 */
final class ParameterStore {
  private final PretrainModel model;
  private final Optimizer optimizer;
  private final Object lock = new Object();
  // volatile: read by copy() from other threads; its contents are guarded by lock
  private volatile float[] params;

  ParameterStore(PretrainModel model, Optimizer optimizer) {
    this.model = model;
    this.optimizer = optimizer;
    this.params = model.paramsVector();
  }

  /** The optimizer (the method's start-of-epoch work may reset part of its state). */
  Optimizer optimizer() {
    return optimizer;
  }

  /** A consistent copy of the parameters. */
  float[] copy() {
    synchronized (lock) {
      return params.clone();
    }
  }

  /** The optimizer's state, for a checkpoint. */
  Adam.State optimizerState() {
    return optimizer.state();
  }

  /** Resumes from a checkpoint's parameters and optimizer state. */
  void restore(float[] saved, Adam.State state) {
    synchronized (lock) {
      params = saved;
      model.setParams(params);
    }
    optimizer.restore(state);
  }

  /** One optimizer step with the aggregated, finite {@code gradient}; the model follows. */
  void step(float[] gradient) {
    synchronized (lock) {
      optimizer.step(params, gradient);
      model.setParams(params);
    }
  }

  /**
   * Takes the model's parameters after work done on the model itself (DeepCluster re-initialises
   * its head); true if they changed, which makes a new version.
   */
  boolean adopt(float[] fromModel) {
    if (Arrays.equals(fromModel, params)) {
      return false;
    }
    synchronized (lock) {
      params = fromModel;
    }
    return true;
  }

  /** The full parameters as the workers receive them. */
  ParameterSnapshot snapshot(Header header, String configHash) {
    float[] p = params;
    return ParameterSnapshot.newBuilder()
        .setHeader(header)
        .setKind(ParameterSnapshot.Kind.FULL)
        .setParams(Tensors.float32(p, p.length))
        .setModelConfigHash(configHash)
        .build();
  }
}

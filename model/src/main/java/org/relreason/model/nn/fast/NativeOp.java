package org.relreason.model.nn.fast;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * One libnd4j custom op bound once to its (preallocated) inputs and outputs, so that a training
 * step re-runs it without building descriptors or allocating outputs.
 */
final class NativeOp {
  private final DynamicCustomOp op;

  private NativeOp(DynamicCustomOp op) {
    this.op = op;
  }

  /** Binds {@code name} (a libnd4j op name such as {@code "conv2d_bp"}) to its arrays. */
  static NativeOp bind(String name, INDArray[] in, INDArray[] out, long[] iArgs, double... tArgs) {
    DynamicCustomOp.DynamicCustomOpsBuilder b =
        DynamicCustomOp.builder(name).addInputs(in).addOutputs(out);
    if (iArgs.length > 0) {
      int[] ints = new int[iArgs.length];
      for (int i = 0; i < iArgs.length; i++) {
        ints[i] = Math.toIntExact(iArgs[i]);
      }
      b.addIntegerArguments(ints);
    }
    if (tArgs.length > 0) {
      b.addFloatingPointArguments(box(tArgs));
    }
    return new NativeOp(b.build());
  }

  /** Runs the op on its bound arrays. */
  void exec() {
    OpTimes.time(op.opName(), () -> Nd4j.getExecutioner().exec(op));
  }

  /** Runs the op without recording it (when the caller's own timer already covers it). */
  void execUntimed() {
    Nd4j.getExecutioner().exec(op);
  }

  /** The op's libnd4j name (for profiles). */
  String name() {
    return op.opName();
  }

  private static Double[] box(double[] v) {
    Double[] out = new Double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i];
    }
    return out;
  }
}

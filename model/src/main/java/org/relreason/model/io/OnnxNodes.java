package org.relreason.model.io;

import java.util.List;
import java.util.Map;
import onnx.Onnx;

/** One {@link BackboneLayers.Op} as ONNX nodes and initializers (opset 13 operators). */
final class OnnxNodes {
  private OnnxNodes() {}

  /** Adds the nodes and initializers of {@code op} to the graph. */
  static void add(Onnx.GraphProto.Builder g, BackboneLayers.Op op) {
    switch (op.kind()) {
      case CONV -> {
        String w = param(g, op, "weight");
        g.addNode(
            node("Conv", op.name(), List.of(op.inputs().get(0), w), op.output())
                .addAttribute(ints("kernel_shape", op.kernel()))
                .addAttribute(ints("strides", op.stride()))
                .addAttribute(ints("pads", pads(op.padding()))));
      }
      case BATCH_NORM -> {
        List<String> in =
            List.of(
                op.inputs().get(0),
                param(g, op, "weight"),
                param(g, op, "bias"),
                param(g, op, "running_mean"),
                param(g, op, "running_var"));
        g.addNode(
            node("BatchNormalization", op.name(), in, op.output())
                .addAttribute(
                    Onnx.AttributeProto.newBuilder()
                        .setName("epsilon")
                        .setType(Onnx.AttributeProto.AttributeType.FLOAT)
                        .setF((float) op.epsilon())));
      }
      case RELU -> g.addNode(node("Relu", op.name(), op.inputs(), op.output()));
      case ADD -> g.addNode(node("Add", op.name(), op.inputs(), op.output()));
      case AVERAGE_POOL, MAX_POOL ->
          g.addNode(
              node(
                      op.kind() == BackboneLayers.Kind.MAX_POOL ? "MaxPool" : "AveragePool",
                      op.name(),
                      op.inputs(),
                      op.output())
                  .addAttribute(ints("kernel_shape", op.kernel()))
                  .addAttribute(ints("strides", op.stride()))
                  .addAttribute(ints("pads", pads(op.padding()))));
      case GLOBAL_AVERAGE_POOL -> {
        // GlobalAveragePool keeps [N, C, 1, 1]; Flatten gives the [N, C] Deeplearning4j returns
        String pooled = op.name() + "_nc11";
        g.addNode(node("GlobalAveragePool", op.name(), op.inputs(), pooled));
        g.addNode(
            node("Flatten", op.name() + "_flatten", List.of(pooled), op.output())
                .addAttribute(
                    Onnx.AttributeProto.newBuilder()
                        .setName("axis")
                        .setType(Onnx.AttributeProto.AttributeType.INT)
                        .setI(1)));
      }
      case LINEAR ->
          // y = x W^T + b, with W stored as PyTorch's [out, in]
          g.addNode(
              node(
                      "Gemm",
                      op.name(),
                      List.of(op.inputs().get(0), param(g, op, "weight"), param(g, op, "bias")),
                      op.output())
                  .addAttribute(
                      Onnx.AttributeProto.newBuilder()
                          .setName("transB")
                          .setType(Onnx.AttributeProto.AttributeType.INT)
                          .setI(1)));
    }
  }

  /** Adds {@code op}'s tensor as an initializer; returns its name. */
  private static String param(Onnx.GraphProto.Builder g, BackboneLayers.Op op, String tensor) {
    String name = op.name() + "." + tensor;
    Map<String, BackboneLayers.Tensor> t = op.tensors();
    g.addInitializer(BackboneExport.initializer(name, t.get(tensor)));
    return name;
  }

  private static Onnx.NodeProto.Builder node(
      String type, String name, List<String> in, String out) {
    return Onnx.NodeProto.newBuilder().setOpType(type).setName(name).addAllInput(in).addOutput(out);
  }

  /** ONNX pads are [top, left, bottom, right]: symmetric here. */
  private static int[] pads(int[] p) {
    return new int[] {p[0], p[1], p[0], p[1]};
  }

  private static Onnx.AttributeProto ints(String name, int[] values) {
    Onnx.AttributeProto.Builder a =
        Onnx.AttributeProto.newBuilder()
            .setName(name)
            .setType(Onnx.AttributeProto.AttributeType.INTS);
    for (int v : values) {
      a.addInts(v);
    }
    return a.build();
  }
}

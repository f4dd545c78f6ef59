package org.relreason.model.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import onnx.Onnx;
import org.nd4j.shade.protobuf.ByteString;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneSpec;

/**
 * Writes a backbone for other tools, in inference mode (batch-norm with its running statistics, as
 * the evaluation uses it): as an ONNX model (opset 13) or as safetensors weights with PyTorch's
 * names and layouts.
 *
 * <p>The ONNX model takes {@code images [N, C, H, W]} float32, already normalised per channel as
 * relreason normalises them (the constants are in the model's metadata, {@code normalization_mean}
 * and {@code normalization_std}), and gives {@code features [N, D]}. Its protobuf messages are the
 * {@code onnx.Onnx} classes compiled from ONNX's {@code onnx.proto} that ship inside ND4J's {@code
 * nd4j-api} (already a dependency; protobuf shaded under {@code org.nd4j.shade}), so relreason
 * compiles no schema of its own.
 */
public final class BackboneExport {
  /** ONNX opset: Conv, BatchNormalization, pooling, Gemm and Flatten as used here are opset 13. */
  static final int OPSET = 13;

  /** IR version 7 is the one of opset 13 (ONNX 1.8). */
  static final int IR_VERSION = 7;

  private BackboneExport() {}

  /**
   * The backbone as an ONNX model.
   *
   * @param backbone the trained backbone (any of relreason's, its parameters as they are)
   * @param spec what it was built for (architecture, width, input geometry)
   * @param metadata key/value pairs stored in the model (normalisation, source checkpoint, ...)
   */
  public static Onnx.ModelProto onnx(
      Backbone backbone, BackboneSpec spec, Map<String, String> metadata) {
    BackboneLayers layers = BackboneLayers.of(backbone, spec);
    Onnx.GraphProto.Builder g =
        Onnx.GraphProto.newBuilder().setName("relreason_" + spec.kind().id());
    g.addInput(value(BackboneLayers.INPUT, spec.channels(), spec.height(), spec.widthPx()));
    g.addOutput(value(BackboneLayers.OUTPUT, backbone.featureSize()));
    for (BackboneLayers.Op op : layers.ops()) {
      OnnxNodes.add(g, op);
    }
    Onnx.ModelProto.Builder m =
        Onnx.ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .setProducerName("relreason")
            .setProducerVersion("0.1.0")
            .setDocString(
                "relreason "
                    + spec.kind().id()
                    + " backbone: images [N, C, H, W] normalised per channel -> features [N, D]")
            .addOpsetImport(Onnx.OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setGraph(g);
    metadata.forEach(
        (k, v) ->
            m.addMetadataProps(Onnx.StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return m.build();
  }

  /** Writes {@link #onnx} to a file (through a temporary file and a rename). */
  public static void writeOnnx(
      Backbone backbone, BackboneSpec spec, Map<String, String> metadata, Path file)
      throws IOException {
    Onnx.ModelProto model = onnx(backbone, spec, metadata);
    Path tmp = tmp(file);
    try (OutputStream out = Files.newOutputStream(tmp)) {
      model.writeTo(out);
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Writes the backbone's parameters as safetensors (F32): {@code <layer>.weight}, {@code .bias},
   * {@code .running_mean}, {@code .running_var} as PyTorch's modules name them, under relreason's
   * layer names ({@code block1_conv}, {@code stage2_block1_bn1}, ...); the metadata gets the list
   * of operations in order ({@code ops}), so the network can be rebuilt.
   */
  public static void writeSafeTensors(
      Backbone backbone, BackboneSpec spec, Map<String, String> metadata, Path file)
      throws IOException {
    BackboneLayers layers = BackboneLayers.of(backbone, spec);
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>();
    StringBuilder ops = new StringBuilder();
    for (BackboneLayers.Op op : layers.ops()) {
      ops.append(ops.length() == 0 ? "" : ";")
          .append(op.name())
          .append('=')
          .append(op.kind().name().toLowerCase(java.util.Locale.ROOT))
          .append('(')
          .append(String.join(",", op.inputs()))
          .append(')');
      op.tensors()
          .forEach(
              (n, t) -> {
                double[] v = new double[t.values().length];
                for (int i = 0; i < v.length; i++) {
                  v[i] = t.values()[i];
                }
                tensors.put(op.name() + "." + n, new SafeTensors.Tensor("F32", t.shape(), v));
              });
    }
    Map<String, String> meta = new LinkedHashMap<>(metadata);
    meta.put("ops", ops.toString());
    Path tmp = tmp(file);
    SafeTensors.write(tmp, tensors, meta);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A float32 tensor value with a symbolic batch dimension {@code N} and the given other dims. */
  private static Onnx.ValueInfoProto value(String name, long... dims) {
    Onnx.TensorShapeProto.Builder shape = Onnx.TensorShapeProto.newBuilder();
    shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimParam("N"));
    for (long d : dims) {
      shape.addDim(Onnx.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return Onnx.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            Onnx.TypeProto.newBuilder()
                .setTensorType(
                    Onnx.TypeProto.Tensor.newBuilder()
                        .setElemType(Onnx.TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape)))
        .build();
  }

  /** A float32 initializer, little-endian raw data as ONNX stores it. */
  static Onnx.TensorProto initializer(String name, BackboneLayers.Tensor t) {
    ByteBuffer b = ByteBuffer.allocate(4 * t.values().length).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(t.values());
    Onnx.TensorProto.Builder p =
        Onnx.TensorProto.newBuilder()
            .setName(name)
            .setDataType(Onnx.TensorProto.DataType.FLOAT_VALUE)
            .setRawData(ByteString.copyFrom(b.array()));
    for (long d : t.shape()) {
      p.addDims(d);
    }
    return p.build();
  }

  private static Path tmp(Path file) {
    Path abs = file.toAbsolutePath();
    return abs.resolveSibling(abs.getFileName() + ".tmp");
  }
}

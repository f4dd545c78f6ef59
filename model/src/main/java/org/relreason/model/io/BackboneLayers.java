package org.relreason.model.io;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.GraphBackbone;
import org.relreason.model.nn.RepresentationBackbone;

/**
 * A trained backbone as the inference-mode operations it computes, in order: what {@link
 * BackboneExport} writes as ONNX nodes and as safetensors tensors. The native fast paths keep the
 * Deeplearning4j graph's flat parameter layout, so their parameters are read through the graph of
 * the same {@link BackboneSpec}; batch-norm running variances are recovered from the log10 standard
 * deviations Deeplearning4j stores.
 *
 * @param ops the operations from the input {@link #INPUT} to the output {@link #OUTPUT}
 */
record BackboneLayers(List<Op> ops) {
  static final String INPUT = "images";
  static final String OUTPUT = "features";

  /** Operation kinds, named as the ONNX operators they become. */
  enum Kind {
    CONV,
    BATCH_NORM,
    RELU,
    AVERAGE_POOL,
    MAX_POOL,
    ADD,
    GLOBAL_AVERAGE_POOL,
    LINEAR
  }

  /**
   * One operation.
   *
   * @param kind what it computes
   * @param name the Deeplearning4j layer or vertex name (a prefix of its tensors' names)
   * @param inputs names of the values it reads
   * @param output name of the value it writes
   * @param kernel kernel height and width (convolutions and pooling), else null
   * @param stride strides (height, width), else null
   * @param padding symmetric padding (height, width), else null
   * @param epsilon batch-norm epsilon, else 0
   * @param tensors its parameters by PyTorch's names (weight, bias, running_mean, running_var)
   */
  record Op(
      Kind kind,
      String name,
      List<String> inputs,
      String output,
      int[] kernel,
      int[] stride,
      int[] padding,
      double epsilon,
      Map<String, Tensor> tensors) {}

  /**
   * A parameter tensor, row-major.
   *
   * @param shape its shape (PyTorch's layout: conv weights {@code [out, in, kH, kW]}, linear
   *     weights {@code [out, in]})
   * @param values its values
   */
  record Tensor(long[] shape, float[] values) {}

  /** The operations of a backbone built for {@code spec}, with its current parameters. */
  static BackboneLayers of(Backbone backbone, BackboneSpec spec) {
    Backbone core =
        backbone instanceof RepresentationBackbone r ? r.inner() : backbone; // + linear, below
    ComputationGraph graph = graphOf(core, spec);
    List<Op> ops = new ArrayList<>();
    ComputationGraphConfiguration conf = graph.getConfiguration();
    for (String name : conf.getTopologicalOrderStr()) {
      if (conf.getNetworkInputs().contains(name)) {
        continue;
      }
      List<String> in =
          conf.getVertexInputs().get(name).stream().map(BackboneLayers::value).toList();
      ops.add(op(graph, conf.getVertices().get(name), name, in, value(name)));
    }
    String last = value(conf.getNetworkOutputs().get(0));
    if (backbone instanceof RepresentationBackbone r) {
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put("weight", tensor(r.weights().transpose())); // [in, size] -> PyTorch's [size, in]
      t.put("bias", vector(r.bias()));
      ops.add(new Op(Kind.LINEAR, "representation", List.of(last), OUTPUT, null, null, null, 0, t));
    } else {
      Op out = ops.remove(ops.size() - 1);
      ops.add(
          new Op(
              out.kind,
              out.name,
              out.inputs,
              OUTPUT,
              out.kernel,
              out.stride,
              out.padding,
              out.epsilon,
              out.tensors));
    }
    return new BackboneLayers(List.copyOf(ops));
  }

  /** The graph whose layers compute this backbone, holding its parameters. */
  private static ComputationGraph graphOf(Backbone core, BackboneSpec spec) {
    if (core instanceof GraphBackbone g) {
      return g.graph();
    }
    GraphBackbone reference = (GraphBackbone) Backbones.build(spec, 0, DataType.FLOAT);
    if (reference.numParams() != core.numParams()) {
      throw new IllegalArgumentException(
          "the backbone has "
              + core.numParams()
              + " parameters, the "
              + spec.kind().id()
              + " graph "
              + reference.numParams()
              + ": not the backbone of this spec");
    }
    reference.params().assign(core.params().reshape(reference.params().shape()));
    return reference.graph();
  }

  /**
   * The value a vertex writes: "input" is the graph's input; the graph's own "features" (its pooled
   * output) becomes "pooled", so that only the last operation writes {@link #OUTPUT}.
   */
  private static String value(String vertex) {
    return switch (vertex) {
      case "input" -> INPUT;
      case OUTPUT -> "pooled";
      default -> vertex;
    };
  }

  private static Op op(
      ComputationGraph graph, GraphVertex vertex, String name, List<String> in, String out) {
    if (vertex instanceof ElementWiseVertex e && e.getOp() == ElementWiseVertex.Op.Add) {
      return new Op(Kind.ADD, name, in, out, null, null, null, 0, Map.of());
    }
    if (!(vertex instanceof LayerVertex lv)) {
      throw unsupported(name, vertex.getClass().getSimpleName());
    }
    var conf = lv.getLayerConf().getLayer();
    Layer layer = graph.getLayer(name);
    if (conf instanceof ConvolutionLayer c) {
      requireTruncate(name, c.getConvolutionMode());
      if (c.hasBias() || c.getDilation()[0] != 1 || c.getDilation()[1] != 1) {
        throw unsupported(name, "convolution with a bias or dilation");
      }
      return new Op(
          Kind.CONV,
          name,
          in,
          out,
          c.getKernelSize(),
          c.getStride(),
          c.getPadding(),
          0,
          Map.of("weight", tensor(layer.getParam("W"))));
    }
    if (conf instanceof BatchNormalization bn) {
      Map<String, Tensor> t = new LinkedHashMap<>();
      t.put("weight", vector(layer.getParam("gamma")));
      t.put("bias", vector(layer.getParam("beta")));
      t.put("running_mean", vector(layer.getParam("mean")));
      // DL4J keeps log10(std) by default: var = 10^(2 log10 std) = exp(2 ln(10) log10 std)
      INDArray var =
          bn.isUseLogStd()
              ? Transforms.exp(layer.getParam("log10stdev").mul(2.0 * Math.log(10)), false)
              : layer.getParam("var");
      t.put("running_var", vector(var));
      return new Op(Kind.BATCH_NORM, name, in, out, null, null, null, bn.getEps(), t);
    }
    if (conf instanceof ActivationLayer a && a.getActivationFn() instanceof ActivationReLU) {
      return new Op(Kind.RELU, name, in, out, null, null, null, 0, Map.of());
    }
    if (conf instanceof SubsamplingLayer s
        && (s.getPoolingType() == PoolingType.AVG || s.getPoolingType() == PoolingType.MAX)) {
      requireTruncate(name, s.getConvolutionMode());
      boolean avg = s.getPoolingType() == PoolingType.AVG;
      if (avg && (s.getPadding()[0] != 0 || s.getPadding()[1] != 0)) {
        throw unsupported(name, "average pooling with padding");
      }
      return new Op(
          avg ? Kind.AVERAGE_POOL : Kind.MAX_POOL,
          name,
          in,
          out,
          s.getKernelSize(),
          s.getStride(),
          s.getPadding(),
          0,
          Map.of());
    }
    if (conf instanceof GlobalPoolingLayer g && g.getPoolingType() == PoolingType.AVG) {
      return new Op(Kind.GLOBAL_AVERAGE_POOL, name, in, out, null, null, null, 0, Map.of());
    }
    throw unsupported(name, conf.getClass().getSimpleName());
  }

  private static void requireTruncate(String name, ConvolutionMode mode) {
    if (mode != ConvolutionMode.Truncate) {
      throw unsupported(name, "convolution mode " + mode);
    }
  }

  private static IllegalArgumentException unsupported(String name, String what) {
    return new IllegalArgumentException("cannot export layer '" + name + "': " + what);
  }

  /** A copy of an array as a tensor of its own shape. */
  private static Tensor tensor(INDArray a) {
    INDArray f = a.castTo(DataType.FLOAT).dup('c');
    return new Tensor(f.shape(), f.data().asFloat());
  }

  /** A copy of a {@code [1, c]} parameter row as the vector {@code [c]} PyTorch keeps. */
  private static Tensor vector(INDArray row) {
    return tensor(row.reshape(row.length()));
  }
}

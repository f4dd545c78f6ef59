package org.relreason.model.nn;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.learning.config.NoOp;
import org.relreason.model.nn.fast.FastConv4Backbone;
import org.relreason.model.nn.fast.FastResNet;

/** Builds the backbones of {@link BackboneKind}. */
public final class Backbones {
  private Backbones() {}

  /**
   * Builds and initialises a backbone.
   *
   * @param spec architecture, width multiplier and input geometry
   * @param seed seed of the weight initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public static Backbone build(BackboneSpec spec, long seed, DataType dtype) {
    return switch (spec.kind()) {
      case CONV4 -> conv4(spec, seed, dtype);
      case RESNET8, RESNET32, RESNET56 -> CifarResNet.build(spec, seed, dtype);
      case RESNET34 -> ResNet34.build(spec, seed, dtype);
    };
  }

  /**
   * Like {@link #build}, but Conv-4 runs on {@link FastConv4Backbone} and the ResNets (CIFAR
   * ResNet-8/32/56 and ResNet-34) on {@link FastResNet} (libnd4j's native conv, batch-norm and
   * pooling ops and their backprop ops on preallocated buffers) instead of a DL4J graph. The
   * parameters are those {@link #build} would give for the same seed (same flat layout, so
   * checkpoints are interchangeable).
   */
  public static Backbone buildFast(BackboneSpec spec, long seed, DataType dtype) {
    FastResNet.Layout layout =
        switch (spec.kind()) {
          case RESNET8, RESNET32, RESNET56 -> CifarResNet.fastLayout(spec);
          case RESNET34 -> ResNet34.fastLayout(spec);
          case CONV4 -> null;
        };
    if (layout != null) {
      GraphBackbone reference = (GraphBackbone) build(spec, seed, dtype);
      return new FastResNet(
          spec.channels(),
          spec.height(),
          spec.widthPx(),
          layout,
          reference.graph().paramTable(),
          reference.params(),
          reference.statisticsMask(),
          dtype);
    }
    Backbone reference = conv4(spec, seed, dtype);
    FastConv4Backbone fast =
        new FastConv4Backbone(
            spec.channels(),
            spec.height(),
            spec.widthPx(),
            spec.width(),
            dtype,
            FastConv4Backbone.Layout.DEFAULT);
    if (fast.numParams() != reference.numParams()) {
      throw new IllegalStateException(
          "fast Conv-4 has " + fast.numParams() + " parameters, DL4J's " + reference.numParams());
    }
    fast.params().assign(reference.params());
    return fast;
  }

  /**
   * {@link #buildFast}, followed by a {@link RepresentationBackbone} linear layer of {@code
   * representationSize} outputs when it is positive (0 = the backbone alone). The layer's seed is
   * derived from {@code seed}, so the backbone's weights are those of {@link #buildFast} either
   * way.
   */
  public static Backbone buildFast(
      BackboneSpec spec, int representationSize, long seed, DataType dtype) {
    if (representationSize < 0) {
      throw new IllegalArgumentException(
          "representation size must be >= 0 (0 = none), got " + representationSize);
    }
    Backbone backbone = buildFast(spec, seed, dtype);
    return representationSize == 0
        ? backbone
        : new RepresentationBackbone(backbone, representationSize, seed ^ 0x5265707253697aL);
  }

  /**
   * The common start of every graph: He initialisation (convolutions are re-drawn by {@link
   * #finish}), no optimizer inside DL4J (the optimizer is applied outside, on the flat vector), no
   * workspaces (the external-epsilon backward needs the forward activations to outlive the forward
   * call).
   */
  static ComputationGraphConfiguration.GraphBuilder graph(
      BackboneSpec spec, long seed, DataType dtype) {
    return new NeuralNetConfiguration.Builder()
        .seed(seed)
        .dataType(dtype)
        .weightInit(WeightInit.RELU)
        .updater(new NoOp())
        .trainingWorkspaceMode(WorkspaceMode.NONE)
        .inferenceWorkspaceMode(WorkspaceMode.NONE)
        .graphBuilder()
        .addInputs("input")
        .setInputTypes(InputType.convolutional(spec.height(), spec.widthPx(), spec.channels()))
        .validateOutputLayerConfig(false);
  }

  /** Adds conv3x3 (no bias, same padding) - BN - ReLU; returns the name of the ReLU. */
  static String convBnRelu(
      ComputationGraphConfiguration.GraphBuilder g, String name, String in, int out, int stride) {
    g.addLayer(
        name + "_conv",
        new ConvolutionLayer.Builder(3, 3)
            .stride(stride, stride)
            .padding(1, 1)
            .convolutionMode(ConvolutionMode.Truncate)
            .nOut(out)
            .hasBias(false)
            .activation(Activation.IDENTITY)
            .build(),
        in);
    g.addLayer(
        name + "_bn",
        new BatchNormalization.Builder().decay(0.9).eps(1e-5).build(),
        name + "_conv");
    g.addLayer(
        name + "_relu",
        new ActivationLayer.Builder().activation(Activation.RELU).build(),
        name + "_bn");
    return name + "_relu";
  }

  static Backbone conv4(BackboneSpec spec, long seed, DataType dtype) {
    ComputationGraphConfiguration.GraphBuilder g = graph(spec, seed, dtype);
    int[] base = {8, 16, 32, 64};
    String in = "input";
    for (int b = 0; b < 4; b++) {
      String relu = convBnRelu(g, "block" + (b + 1), in, spec.scaled(base[b]), 1);
      if (b < 3) {
        in = "block" + (b + 1) + "_pool";
        g.addLayer(
            in,
            new SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build(),
            relu);
      } else {
        in = relu;
      }
    }
    return finish(g, in, seed);
  }

  /**
   * Ends a graph with global average pooling of {@code last} into the output {@code "features"},
   * then builds and initialises it: Deeplearning4j's initialisation, then every convolution
   * re-drawn as the reference does ({@link TorchInit#convolutions}). The feature size is read from
   * the configuration's output type, so it always matches what the graph produces.
   */
  static Backbone finish(ComputationGraphConfiguration.GraphBuilder g, String last, long seed) {
    g.addLayer("features", new GlobalPoolingLayer.Builder(PoolingType.AVG).build(), last);
    g.setOutputs("features");
    InputType out = g.getLayerActivationTypes().get("features");
    ComputationGraph net = new ComputationGraph(g.build());
    net.init();
    TorchInit.convolutions(net.paramTable(), seed);
    return new GraphBackbone(
        net, Math.toIntExact(((InputType.InputTypeFeedForward) out).getSize()));
  }
}

package org.relreason.model.nn;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.graph.ElementWiseVertex;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.nd4j.linalg.activations.Activation;

/**
 * The basic residual block of He et al. 2016 (Fig. 2) and the layers it is made of, shared by
 * {@link CifarResNet} and {@link ResNet34}.
 *
 * <p>Every convolution uses {@link ConvolutionMode#Truncate} with explicit padding, whose output
 * size {@code floor((in + 2 pad - kernel) / stride) + 1} is PyTorch's; DL4J's {@code Same} mode
 * would pad a stride-2 convolution asymmetrically (right/bottom) instead.
 */
final class BasicBlock {
  private BasicBlock() {}

  /**
   * Adds a stage of {@code blocks} basic blocks, the first with the given stride; returns the name
   * of its output.
   */
  static String stage(
      GraphBuilder g,
      String name,
      String in,
      int inChannels,
      int channels,
      int blocks,
      int stride) {
    String x = in;
    for (int b = 1; b <= blocks; b++) {
      x =
          add(
              g,
              name + "_block" + b,
              x,
              b == 1 ? inChannels : channels,
              channels,
              b == 1 ? stride : 1);
    }
    return x;
  }

  /**
   * Adds {@code relu(bn(conv3x3(relu(bn(conv3x3_s(x))))) + shortcut(x))}, where the shortcut is the
   * identity when channels and stride are kept and conv1x1_s (no bias) - BN otherwise (option B of
   * He et al.); returns the name of the final ReLU.
   */
  static String add(GraphBuilder g, String name, String in, int inChannels, int out, int stride) {
    String bn1 = convBn(g, name, "1", in, out, 3, stride, 1);
    g.addLayer(name + "_relu1", relu(), bn1);
    String bn2 = convBn(g, name, "2", name + "_relu1", out, 3, 1, 1);
    String shortcut = in;
    if (stride != 1 || inChannels != out) {
      shortcut = convBn(g, name + "_shortcut", "", in, out, 1, stride, 0);
    }
    g.addVertex(name + "_add", new ElementWiseVertex(ElementWiseVertex.Op.Add), bn2, shortcut);
    g.addLayer(name + "_relu", relu(), name + "_add");
    return name + "_relu";
  }

  /**
   * Adds {@code <name>_conv<suffix>} (no bias) and {@code <name>_bn<suffix>}; returns the name of
   * the batch norm.
   */
  static String convBn(
      GraphBuilder g,
      String name,
      String suffix,
      String in,
      int out,
      int kernel,
      int stride,
      int padding) {
    g.addLayer(
        name + "_conv" + suffix,
        new ConvolutionLayer.Builder(kernel, kernel)
            .stride(stride, stride)
            .padding(padding, padding)
            .convolutionMode(ConvolutionMode.Truncate)
            .nOut(out)
            .hasBias(false)
            .activation(Activation.IDENTITY)
            .build(),
        in);
    g.addLayer(name + "_bn" + suffix, batchNorm(), name + "_conv" + suffix);
    return name + "_bn" + suffix;
  }

  /** PyTorch's defaults: momentum 0.1 (DL4J decay 0.9), eps 1e-5. */
  static BatchNormalization batchNorm() {
    return new BatchNormalization.Builder().decay(0.9).eps(1e-5).build();
  }

  static ActivationLayer relu() {
    return new ActivationLayer.Builder().activation(Activation.RELU).build();
  }
}

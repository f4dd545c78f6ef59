package org.relreason.model.nn;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.nn.fast.FastResNet;

/**
 * The CIFAR ResNets of He et al. 2016 (Sec. 4.2), as in the relational-reasoning code: stem
 * conv3x3(16) - BN - ReLU, three stages of basic blocks with 16/32/64 channels (times the width
 * multiplier) and strides 1/2/2, then global average pooling. ResNet-{@code 6n+2} has {@code n}
 * blocks per stage: 1 for ResNet-8, 5 for ResNet-32, 9 for ResNet-56. A 32x32 input gives maps of
 * 32, 16 and 8 pixels in the three stages.
 */
public final class CifarResNet {
  private static final int[] CHANNELS = {16, 32, 64};
  private static final int[] STRIDES = {1, 2, 2};

  private CifarResNet() {}

  /** Blocks per stage of a CIFAR ResNet kind. */
  static int blocksPerStage(BackboneKind kind) {
    return switch (kind) {
      case RESNET8 -> 1;
      case RESNET32 -> 5;
      case RESNET56 -> 9;
      default -> throw new IllegalArgumentException(kind.id() + " is not a CIFAR ResNet");
    };
  }

  /** The same network's layout for {@link org.relreason.model.nn.fast.FastResNet}. */
  static FastResNet.Layout fastLayout(BackboneSpec spec) {
    int[] channels = new int[CHANNELS.length];
    int[] blocks = new int[CHANNELS.length];
    for (int s = 0; s < CHANNELS.length; s++) {
      channels[s] = spec.scaled(CHANNELS[s]);
      blocks[s] = blocksPerStage(spec.kind());
    }
    return new FastResNet.Layout(3, 1, false, channels, blocks, STRIDES);
  }

  /** Builds and initialises the network; features {@code [N, 64 x width]}. */
  public static Backbone build(BackboneSpec spec, long seed, DataType dtype) {
    int blocks = blocksPerStage(spec.kind());
    GraphBuilder g = Backbones.graph(spec, seed, dtype);
    String x = Backbones.convBnRelu(g, "stem", "input", spec.scaled(CHANNELS[0]), 1);
    int in = spec.scaled(CHANNELS[0]);
    for (int s = 0; s < CHANNELS.length; s++) {
      int out = spec.scaled(CHANNELS[s]);
      x = BasicBlock.stage(g, "stage" + (s + 1), x, in, out, blocks, STRIDES[s]);
      in = out;
    }
    return Backbones.finish(g, x, seed);
  }
}

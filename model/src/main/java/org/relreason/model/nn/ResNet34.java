package org.relreason.model.nn;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder;
import org.deeplearning4j.nn.conf.ConvolutionMode;
import org.deeplearning4j.nn.conf.layers.PoolingType;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.nn.fast.FastResNet;

/**
 * ResNet-34 in the ImageNet layout (He et al. 2016, Table 1; torchvision's {@code resnet34} without
 * its classifier): conv7x7/2 (64) - BN - ReLU - max-pool 3x3/2, stages of [3, 4, 6, 3] basic blocks
 * with 64/128/256/512 channels (times the width multiplier) and strides 1/2/2/2, global average
 * pooling. A 96x96 STL-10 image gives maps of 48, 24 (after the pool and in stage 1), 12, 6 and 3
 * pixels.
 */
public final class ResNet34 {
  /** The network downsamples by 32; smaller inputs would reach stage 4 as padding alone. */
  public static final int MIN_INPUT = 32;

  private static final int[] BLOCKS = {3, 4, 6, 3};
  private static final int[] CHANNELS = {64, 128, 256, 512};
  private static final int[] STRIDES = {1, 2, 2, 2};
  private static final int STEM_KERNEL = 7;
  private static final int STEM_STRIDE = 2;

  private ResNet34() {}

  /** The same network's layout for {@link FastResNet}. */
  static FastResNet.Layout fastLayout(BackboneSpec spec) {
    int[] channels = new int[CHANNELS.length];
    for (int s = 0; s < CHANNELS.length; s++) {
      channels[s] = spec.scaled(CHANNELS[s]);
    }
    return new FastResNet.Layout(STEM_KERNEL, STEM_STRIDE, true, channels, BLOCKS, STRIDES);
  }

  /** Builds and initialises the network; features {@code [N, 512 x width]}. */
  public static Backbone build(BackboneSpec spec, long seed, DataType dtype) {
    if (spec.height() < MIN_INPUT || spec.widthPx() < MIN_INPUT) {
      throw new IllegalArgumentException(
          "resnet34 downsamples by 32 and needs inputs of at least "
              + MIN_INPUT
              + "x"
              + MIN_INPUT
              + ", got "
              + spec.height()
              + "x"
              + spec.widthPx());
    }
    GraphBuilder g = Backbones.graph(spec, seed, dtype);
    int in = spec.scaled(CHANNELS[0]);
    String bn =
        BasicBlock.convBn(g, "stem", "", "input", in, STEM_KERNEL, STEM_STRIDE, STEM_KERNEL / 2);
    g.addLayer("stem_relu", BasicBlock.relu(), bn);
    g.addLayer(
        "stem_pool",
        new SubsamplingLayer.Builder(PoolingType.MAX)
            .kernelSize(3, 3)
            .stride(2, 2)
            .padding(1, 1)
            .convolutionMode(ConvolutionMode.Truncate)
            .build(),
        "stem_relu");
    String x = "stem_pool";
    for (int s = 0; s < CHANNELS.length; s++) {
      int out = spec.scaled(CHANNELS[s]);
      x = BasicBlock.stage(g, "stage" + (s + 1), x, in, out, BLOCKS[s], STRIDES[s]);
      in = out;
    }
    return Backbones.finish(g, x, seed);
  }
}

package org.relreason.model.nn;

import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The initialisation of the learning reference ({@code bench/pytorch_reference_train.py}) and of
 * the paper's code, written over Deeplearning4j's freshly initialised parameters:
 *
 * <ul>
 *   <li>every convolution: {@code normal(0, sqrt(2 / n))} with {@code n = kH · kW · out_channels}
 *       (the authors' {@code backbones/conv4.py} and {@code resnet_small.py}; torchvision's ResNets
 *       use the same fan-out He normal). Deeplearning4j's {@code WeightInit.RELU} divides by the
 *       fan-in {@code kH · kW · in_channels} instead, which for Conv-4's first block (3 in, 8 out)
 *       gives weights 1.6× larger: with Adam's fixed step size that is a 1.6× smaller relative
 *       update, i.e. slower early learning;
 *   <li>every linear layer (the relation head, SimCLR's projection): PyTorch's {@code nn.Linear}
 *       default, weight and bias uniform on {@code ±1/sqrt(fan_in)}. Deeplearning4j's LeCun uniform
 *       has bound {@code sqrt(3/fan_in)} and a zero bias: the head's initial logits then spread √3
 *       times wider, and the first steps' focal loss lies far above chance (0.17 against 0.087 at
 *       the first step of a seed-1 Conv-4 run);
 *   <li>batch-norm: weight 1, bias 0, running mean 0, running variance 1 (Deeplearning4j's defaults
 *       already).
 * </ul>
 *
 * <p>Each parameter is drawn from its own {@link java.util.Random}, seeded from the model's seed
 * and the parameter's name: {@code java.util.Random}'s sequence (including {@code nextGaussian}) is
 * fixed by its specification, so every JVM draws the same weights, and the draws do not depend on
 * the order in which parameters are visited.
 */
public final class TorchInit {
  private TorchInit() {}

  /**
   * Re-draws every 4-d convolution weight {@code [out, in, kH, kW]} of a parameter table (keys
   * ending in {@code _W}, as Deeplearning4j names them) with the fan-out He normal.
   */
  public static void convolutions(Map<String, INDArray> paramTable, long seed) {
    for (Map.Entry<String, INDArray> e : paramTable.entrySet()) {
      INDArray w = e.getValue();
      if (e.getKey().endsWith("_W") && w.rank() == 4) {
        long n = w.size(0) * w.size(2) * w.size(3);
        Random rng = new Random(mix(seed, e.getKey()));
        double std = Math.sqrt(2.0 / n);
        double[] values = new double[Math.toIntExact(w.length())];
        for (int i = 0; i < values.length; i++) {
          values[i] = rng.nextGaussian() * std;
        }
        assignC(w, values);
      }
    }
  }

  /**
   * Re-draws a dense layer's weight {@code [fan_in, out]} and bias {@code [1, out]} uniformly on
   * {@code ±1/sqrt(fan_in)}, as PyTorch's {@code nn.Linear.reset_parameters} does.
   */
  public static void linear(INDArray weight, INDArray bias, long seed, String name) {
    double bound = 1.0 / Math.sqrt(weight.size(0));
    uniform(weight, bound, new Random(mix(seed, name + "_W")));
    uniform(bias, bound, new Random(mix(seed, name + "_b")));
  }

  private static void uniform(INDArray target, double bound, Random rng) {
    double[] values = new double[Math.toIntExact(target.length())];
    for (int i = 0; i < values.length; i++) {
      values[i] = (2 * rng.nextDouble() - 1) * bound;
    }
    assignC(target, values);
  }

  /** Writes values in C (row-major) order of the target's shape, whatever its own ordering. */
  private static void assignC(INDArray target, double[] values) {
    INDArray src =
        Nd4j.createFromArray(values).castTo(target.dataType()).reshape('c', target.shape());
    target.assign(src);
  }

  /** SplitMix64's finaliser over the seed and the name's (specified) String hash. */
  private static long mix(long seed, String name) {
    long z = seed * 0x9E3779B97F4A7C15L + name.hashCode();
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }
}

package org.relreason.model.method;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deep InfoMax's prior discriminator (the relational-reasoning paper's {@code PriorDiscriminator}):
 * an MLP {@code D → 512 → 128 → 1} with ReLUs between, whose output logit {@code s} gives {@code
 * σ(s)}, the probability that a vector was drawn from the prior rather than produced by the
 * encoder. Prior samples and features go through it as one stack of rows. Not thread-safe.
 */
final class PriorDiscriminator {
  private final Dense[] layers;
  private INDArray[] inputs; // the input of each layer in the last forward
  private long n;

  /** Logits of a forward. */
  record Logits(double[] prior, double[] features) {}

  PriorDiscriminator(Dense... layers) {
    for (int i = 1; i < layers.length; i++) {
      if (layers[i].in != layers[i - 1].out) {
        throw new IllegalArgumentException("prior discriminator layers do not chain");
      }
    }
    if (layers[layers.length - 1].out != 1) {
      throw new IllegalArgumentException("the prior discriminator gives one logit per row");
    }
    this.layers = layers.clone();
  }

  /** Logits of prior samples {@code [N, D]} and of features {@code [N, D]}. */
  Logits forward(INDArray priorSamples, INDArray features) {
    n = features.size(0);
    if (!java.util.Arrays.equals(priorSamples.shape(), features.shape())) {
      throw new IllegalArgumentException("prior samples and features differ in shape");
    }
    inputs = new INDArray[layers.length];
    INDArray x = Nd4j.concat(0, priorSamples, features);
    for (int i = 0; i < layers.length; i++) {
      inputs[i] = x;
      x = layers[i].forward(x);
      if (i < layers.length - 1) {
        Dense.relu(x);
      }
    }
    double[] s = x.toDoubleVector();
    double[] prior = java.util.Arrays.copyOfRange(s, 0, (int) n);
    double[] feat = java.util.Arrays.copyOfRange(s, (int) n, s.length);
    return new Logits(prior, feat);
  }

  /**
   * Back-propagates {@code dL/dlogit} of the last forward's prior samples and features: adds to the
   * layers' gradients and returns the gradient on the features {@code [N, D]}.
   */
  INDArray backward(double[] dPrior, double[] dFeatures) {
    if (inputs == null) {
      throw new IllegalStateException("backward without a forward");
    }
    double[] d = new double[dPrior.length + dFeatures.length];
    System.arraycopy(dPrior, 0, d, 0, dPrior.length);
    System.arraycopy(dFeatures, 0, d, dPrior.length, dFeatures.length);
    INDArray dy = Nd4j.createFromArray(d).castTo(inputs[0].dataType()).reshape(d.length, 1);
    for (int i = layers.length - 1; i >= 0; i--) {
      layers[i].accumulate(inputs[i], dy);
      dy = layers[i].inputGradient(dy);
      if (i > 0) {
        // inputs[i] is the ReLU output of layer i − 1
        Dense.reluBackward(inputs[i], dy);
      }
    }
    inputs = null;
    return dy.get(interval(n, 2 * n), all()).dup();
  }
}

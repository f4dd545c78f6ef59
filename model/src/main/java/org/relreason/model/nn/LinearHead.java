package org.relreason.model.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A linear layer {@code y = x W + b} ({@code W [in, out]}, {@code b [out]}), the classifier of the
 * supervised, RotationNet and DeepCluster baselines. Written on ND4J arrays rather than as a DL4J
 * network because DeepCluster re-initialises it every epoch in place, inside the model's flat
 * vector. Flat layout: W row-major, then b.
 */
public final class LinearHead implements ParamBlock {
  private final int inputSize;
  private final int outputSize;
  private INDArray params;
  private final INDArray gradients;
  private INDArray lastInput;

  /**
   * @param inputSize features per row
   * @param outputSize outputs (classes) per row
   * @param seed seed of the initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public LinearHead(int inputSize, int outputSize, long seed, DataType dtype) {
    if (inputSize < 1 || outputSize < 1) {
      throw new IllegalArgumentException(
          "a linear head needs positive sizes, got " + inputSize + " → " + outputSize);
    }
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    long n = (long) inputSize * outputSize + outputSize;
    params = Nd4j.create(dtype, 1, n);
    gradients = Nd4j.create(dtype, 1, n);
    reinitialize(seed);
  }

  /**
   * Draws new weights and biases, uniform in {@code ±1/sqrt(in)} (PyTorch's default for {@code
   * nn.Linear}), into the current parameter view.
   */
  public void reinitialize(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    double bound = 1 / Math.sqrt(inputSize);
    double[] v = new double[(int) params.length()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (rnd.nextDouble() * 2 - 1) * bound;
    }
    params.assign(Nd4j.createFromArray(v).castTo(params.dataType()).reshape(params.shape()));
  }

  /** Features per row. */
  public int inputSize() {
    return inputSize;
  }

  /** Outputs per row. */
  public int outputSize() {
    return outputSize;
  }

  @Override
  public long numParams() {
    return params.length();
  }

  @Override
  public INDArray params() {
    return params;
  }

  @Override
  public INDArray gradients() {
    return gradients;
  }

  @Override
  public void bind(INDArray paramsView) {
    params = ParamBlock.moveInto(params, paramsView);
  }

  @Override
  public boolean[] statisticsMask() {
    return new boolean[(int) params.length()];
  }

  private INDArray weights() {
    return params
        .get(interval(0, 1), interval(0, (long) inputSize * outputSize))
        .dup()
        .reshape(inputSize, outputSize);
  }

  private INDArray bias() {
    long w = (long) inputSize * outputSize;
    return params.get(interval(0, 1), interval(w, w + outputSize)).dup();
  }

  /** Outputs {@code [N, out]} of rows {@code [N, in]}; remembers the input for the backward. */
  public INDArray forward(INDArray x) {
    if (x.rank() != 2 || x.size(1) != inputSize) {
      throw new IllegalArgumentException(
          "linear head expects rows of "
              + inputSize
              + " features, got shape "
              + java.util.Arrays.toString(x.shape()));
    }
    lastInput = x;
    return x.mmul(weights()).addiRowVector(bias());
  }

  /**
   * Back-propagates {@code dL/dy [N, out]} of the last forward: fills {@link #gradients()} and
   * returns {@code dL/dx [N, in]}.
   */
  public INDArray backward(INDArray dy) {
    long w = (long) inputSize * outputSize;
    INDArray dW = lastInput.transpose().mmul(dy);
    gradients.get(interval(0, 1), interval(0, w)).assign(dW.reshape(1, w));
    gradients
        .get(interval(0, 1), interval(w, w + outputSize))
        .assign(dy.sum(0).reshape(1, outputSize));
    return dy.mmul(weights().transpose());
  }
}

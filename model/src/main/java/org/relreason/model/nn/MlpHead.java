package org.relreason.model.nn;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.layers.ActivationLayer;
import org.deeplearning4j.nn.conf.layers.BatchNormalization;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.deeplearning4j.nn.workspace.LayerWorkspaceMgr;
import org.nd4j.common.primitives.Pair;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.learning.config.NoOp;
import org.relreason.model.nn.fast.NativeMlpHead;

/**
 * A two-layer head: Linear(in→hidden) → BatchNorm → LeakyReLU(0.01) → Linear(hidden→out). The
 * paper's relation head (out = 1) and SimCLR's projection head (256 → 64) are both this shape. It
 * ends in an identity dense layer rather than a DL4J output layer because losses are computed
 * outside (DL4J refuses an external-epsilon backward through an output layer).
 */
public class MlpHead implements ParamBlock {
  /** How the training forward and backward run. */
  public enum Impl {
    /** {@link NativeMlpHead}: GEMMs and reductions on reused buffers (the default). */
    NATIVE,
    /** Deeplearning4j's layers: the reference the native path is tested against. */
    DL4J
  }

  private MultiLayerNetwork net;
  private final Impl impl;
  private NativeMlpHead nativeHead;
  private final int inputSize;
  private final int outputSize;
  private final boolean[] statisticsMask;

  /**
   * @param inputSize size of an input row
   * @param hidden width of the hidden layer
   * @param outputSize size of an output row
   * @param seed seed of the weight initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public MlpHead(int inputSize, int hidden, int outputSize, long seed, DataType dtype) {
    this(inputSize, hidden, outputSize, seed, dtype, Impl.NATIVE);
  }

  /** As {@link #MlpHead(int, int, int, long, DataType)} with a chosen implementation. */
  public MlpHead(int inputSize, int hidden, int outputSize, long seed, DataType dtype, Impl impl) {
    this.impl = impl;
    this.inputSize = inputSize;
    this.outputSize = outputSize;
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(dtype)
            // re-drawn below as PyTorch's nn.Linear default (TorchInit.linear)
            .weightInit(WeightInit.LECUN_UNIFORM)
            .updater(new NoOp())
            .trainingWorkspaceMode(WorkspaceMode.NONE)
            .inferenceWorkspaceMode(WorkspaceMode.NONE)
            .list()
            .layer(
                new DenseLayer.Builder()
                    .nIn(inputSize)
                    .nOut(hidden)
                    .activation(Activation.IDENTITY)
                    .build())
            .layer(new BatchNormalization.Builder().nOut(hidden).decay(0.9).eps(1e-5).build())
            .layer(new ActivationLayer.Builder().activation(new ActivationLReLU(0.01)).build())
            .layer(
                new DenseLayer.Builder()
                    .nIn(hidden)
                    .nOut(outputSize)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    net = new MultiLayerNetwork(conf);
    net.init();
    Map<String, INDArray> table = net.paramTable();
    for (String layer : new String[] {"0", "3"}) {
      TorchInit.linear(table.get(layer + "_W"), table.get(layer + "_b"), seed, "head" + layer);
    }
    statisticsMask = Dl4jParams.statisticsMask(net.params(), net.paramTable());
    net.initGradientsView();
    nativeHead = impl == Impl.NATIVE ? nativeHead(net) : null;
  }

  /** The native forward/backward on the network's parameter and gradient views. */
  private static NativeMlpHead nativeHead(MultiLayerNetwork net) {
    Map<String, INDArray> gradients = new HashMap<>();
    for (int i = 0; i < net.getnLayers(); i++) {
      INDArray flat = net.getLayer(i).getGradientsViewArray();
      if (flat == null || flat.isEmpty()) {
        continue;
      }
      NeuralNetConfiguration conf = net.getLayerWiseConfigurations().getConf(i);
      Map<String, INDArray> views =
          conf.getLayer().initializer().getGradientsFromFlattened(conf, flat);
      for (Map.Entry<String, INDArray> e : views.entrySet()) {
        gradients.put(i + "_" + e.getKey(), e.getValue());
      }
    }
    return new NativeMlpHead(net.paramTable(), gradients);
  }

  /** Size of an input row. */
  public int inputSize() {
    return inputSize;
  }

  /** Size of an output row. */
  public int outputSize() {
    return outputSize;
  }

  /** Number of values in the flat parameter vector. */
  @Override
  public long numParams() {
    return net.numParams();
  }

  /** The live flat parameter view. */
  @Override
  public INDArray params() {
    return net.params();
  }

  /** The live flat gradient view. */
  @Override
  public INDArray gradients() {
    return net.getGradientsViewArray();
  }

  /**
   * The parameters by Deeplearning4j's names ({@code 0_W}, {@code 0_b}, {@code 1_gamma}, {@code
   * 1_beta}, {@code 1_mean}, {@code 1_log10stdev}, {@code 3_W}, {@code 3_b}), as live views of
   * {@link #params()}; dense weights are {@code [in, out]}.
   */
  public Map<String, INDArray> paramTable() {
    return net.paramTable();
  }

  /** See {@link Backbone#bind(INDArray)}. */
  @Override
  public final void bind(INDArray paramsView) {
    // as GraphBackbone#bind: re-initialise on the view rather than move the parameters
    paramsView.assign(net.params());
    MultiLayerNetwork rebound = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
    rebound.init(paramsView, false);
    rebound.initGradientsView();
    net = rebound;
    nativeHead = impl == Impl.NATIVE ? nativeHead(net) : null;
  }

  /** See {@link Backbone#statisticsMask()}. */
  @Override
  public boolean[] statisticsMask() {
    return statisticsMask.clone();
  }

  /** Outputs {@code [P, out]} of rows {@code [P, in]}. */
  public INDArray forward(INDArray rows, boolean training) {
    if (rows.size(1) != inputSize) {
      throw new IllegalArgumentException(
          "rows have " + rows.size(1) + " columns, the head expects " + inputSize);
    }
    if (!training) {
      return net.output(rows, false);
    }
    if (nativeHead != null) {
      return nativeHead.forward(rows);
    }
    net.setInput(rows);
    List<INDArray> acts = net.feedForward(true, false);
    return acts.get(acts.size() - 1);
  }

  /**
   * Back-propagates {@code dL/doutputs [P, out]} of the last training forward: fills {@link
   * #gradients()} and returns {@code dL/drows [P, in]}.
   */
  public INDArray backward(INDArray outputGradient) {
    if (nativeHead != null) {
      return nativeHead.backward(outputGradient);
    }
    Pair<Gradient, INDArray> result =
        net.backpropGradient(outputGradient, LayerWorkspaceMgr.noWorkspaces());
    Dl4jParams.unbiasVarianceDelta(net.getLayer(1), outputGradient.size(0), GraphBackbone.BN_DECAY);
    return result.getSecond();
  }
}

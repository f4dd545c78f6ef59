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
import org.relreason.model.nn.fast.NativeRelationHead;

/**
 * The relation head of the paper: Linear(in→256) → BatchNorm → LeakyReLU(0.01) → Linear(256→1),
 * returning one logit per pair row. It ends in an identity dense layer rather than a DL4J output
 * layer because the focal loss is computed outside (DL4J refuses an external-epsilon backward
 * through an output layer).
 */
public final class RelationHead {
  /** Hidden width of the paper's head. */
  public static final int HIDDEN = 256;

  /** How the training forward and backward run. */
  public enum Impl {
    /** {@link NativeRelationHead}: GEMMs and reductions on reused buffers (the default). */
    NATIVE,
    /** Deeplearning4j's layers: the reference the native path is tested against. */
    DL4J
  }

  private MultiLayerNetwork net;
  private final int inputSize;
  private final boolean[] statisticsMask;
  private final Impl impl;
  private NativeRelationHead nativeHead;

  /**
   * @param inputSize size of an aggregated pair row
   * @param seed seed of the weight initialisation
   * @param dtype FLOAT for training, DOUBLE for gradient checks
   */
  public RelationHead(int inputSize, long seed, DataType dtype) {
    this(inputSize, seed, dtype, Impl.NATIVE);
  }

  /** As {@link #RelationHead(int, long, DataType)} with a chosen implementation. */
  public RelationHead(int inputSize, long seed, DataType dtype, Impl impl) {
    this.inputSize = inputSize;
    this.impl = impl;
    MultiLayerConfiguration conf =
        new NeuralNetConfiguration.Builder()
            .seed(seed)
            .dataType(dtype)
            // PyTorch's default for Linear is uniform with bound 1/sqrt(fan_in): LeCun uniform is
            // the same family (bound sqrt(3/fan_in)).
            .weightInit(WeightInit.LECUN_UNIFORM)
            .updater(new NoOp())
            .trainingWorkspaceMode(WorkspaceMode.NONE)
            .inferenceWorkspaceMode(WorkspaceMode.NONE)
            .list()
            .layer(
                new DenseLayer.Builder()
                    .nIn(inputSize)
                    .nOut(HIDDEN)
                    .activation(Activation.IDENTITY)
                    .build())
            .layer(new BatchNormalization.Builder().nOut(HIDDEN).decay(0.9).eps(1e-5).build())
            .layer(new ActivationLayer.Builder().activation(new ActivationLReLU(0.01)).build())
            .layer(
                new DenseLayer.Builder()
                    .nIn(HIDDEN)
                    .nOut(1)
                    .activation(Activation.IDENTITY)
                    .build())
            .build();
    net = new MultiLayerNetwork(conf);
    net.init();
    statisticsMask = Dl4jParams.statisticsMask(net.params(), net.paramTable());
    net.initGradientsView();
    nativeHead = impl == Impl.NATIVE ? nativeHead(net) : null;
  }

  /** The native forward/backward on the network's parameter and gradient views. */
  private static NativeRelationHead nativeHead(MultiLayerNetwork net) {
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
    return new NativeRelationHead(net.paramTable(), gradients);
  }

  /** Input size of a pair row. */
  public int inputSize() {
    return inputSize;
  }

  /** Number of values in the flat parameter vector. */
  public long numParams() {
    return net.numParams();
  }

  /** The live flat parameter view. */
  public INDArray params() {
    return net.params();
  }

  /** The live flat gradient view. */
  public INDArray gradients() {
    return net.getGradientsViewArray();
  }

  /** See {@link Backbone#bind(INDArray)}. */
  public void bind(INDArray paramsView) {
    // as GraphBackbone#bind: re-initialise on the view rather than move the parameters
    paramsView.assign(net.params());
    MultiLayerNetwork rebound = new MultiLayerNetwork(net.getLayerWiseConfigurations().clone());
    rebound.init(paramsView, false);
    rebound.initGradientsView();
    net = rebound;
    nativeHead = impl == Impl.NATIVE ? nativeHead(net) : null;
  }

  /** See {@link Backbone#statisticsMask()}. */
  public boolean[] statisticsMask() {
    return statisticsMask.clone();
  }

  /** Logits {@code [P, 1]} of pair rows {@code [P, in]}. */
  public INDArray forward(INDArray pairs, boolean training) {
    if (pairs.size(1) != inputSize) {
      throw new IllegalArgumentException(
          "pair rows have " + pairs.size(1) + " columns, the head expects " + inputSize);
    }
    if (!training) {
      return net.output(pairs, false);
    }
    if (nativeHead != null) {
      return nativeHead.forward(pairs);
    }
    net.setInput(pairs);
    List<INDArray> acts = net.feedForward(true, false);
    return acts.get(acts.size() - 1);
  }

  /**
   * Back-propagates {@code dL/dlogits [P, 1]} of the last training forward: fills {@link
   * #gradients()} and returns {@code dL/dpairs [P, in]}.
   */
  public INDArray backward(INDArray logitGradient) {
    if (nativeHead != null) {
      return nativeHead.backward(logitGradient);
    }
    Pair<Gradient, INDArray> result =
        net.backpropGradient(logitGradient, LayerWorkspaceMgr.noWorkspaces());
    return result.getSecond();
  }
}

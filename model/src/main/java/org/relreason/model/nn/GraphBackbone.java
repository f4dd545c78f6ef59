package org.relreason.model.nn;

import java.util.HashMap;
import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.gradient.Gradient;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A {@link Backbone} over a Deeplearning4j {@link ComputationGraph} with one input and one output
 * of shape {@code [N, D]} (no output layer: the loss lives outside, so the graph is back-propagated
 * from an external epsilon).
 */
public final class GraphBackbone implements Backbone {
  private ComputationGraph graph;
  private final int featureSize;
  private final boolean[] statisticsMask;
  private INDArray lastInput;
  private Map<String, Long> spatial;

  /** Running-average decay of every batch-norm layer the graphs use ({@code Backbones}). */
  static final double BN_DECAY = 0.9;

  /** Wraps an initialised graph. */
  public GraphBackbone(ComputationGraph graph, int featureSize) {
    this.graph = graph;
    this.featureSize = featureSize;
    this.statisticsMask = Dl4jParams.statisticsMask(graph.params(), graph.paramTable());
    // Allocates the gradient view so that gradients() is valid before the first backward.
    graph.initGradientsView();
  }

  /** The wrapped graph (for inspection and tests). */
  public ComputationGraph graph() {
    return graph;
  }

  @Override
  public int featureSize() {
    return featureSize;
  }

  @Override
  public long numParams() {
    return graph.numParams();
  }

  @Override
  public INDArray params() {
    return graph.params();
  }

  @Override
  public INDArray gradients() {
    return graph.getGradientsViewArray();
  }

  @Override
  public void bind(INDArray paramsView) {
    // DL4J's graph cannot move its parameters into a new view; a fresh graph of the same
    // configuration initialised on the view (with the current values copied in) can.
    paramsView.assign(graph.params());
    ComputationGraph rebound = new ComputationGraph(graph.getConfiguration().clone());
    rebound.init(paramsView, false);
    rebound.initGradientsView();
    graph = rebound;
    spatial = null;
  }

  @Override
  public boolean[] statisticsMask() {
    return statisticsMask.clone();
  }

  @Override
  public INDArray forward(INDArray images, boolean training) {
    if (training) {
      lastInput = images;
      Map<String, INDArray> acts = graph.feedForward(new INDArray[] {images}, true, false);
      return acts.get(graph.getConfiguration().getNetworkOutputs().get(0));
    }
    lastInput = null;
    return graph.output(false, images)[0];
  }

  @Override
  public void backward(INDArray featureGradient) {
    if (lastInput == null) {
      throw new IllegalStateException("backward() needs a training forward() first");
    }
    Gradient g = graph.backpropGradient(featureGradient);
    if (g == null) {
      throw new IllegalStateException("backpropagation produced no gradient");
    }
    for (Layer layer : graph.getLayers()) {
      Dl4jParams.unbiasVarianceDelta(layer, lastInput.size(0) * spatial(layer), BN_DECAY);
    }
    lastInput = null;
  }

  /** Positions per example at a layer's output (its height times width; 1 for vectors). */
  private long spatial(Layer layer) {
    if (spatial == null) {
      InputType in =
          InputType.convolutional(lastInput.size(2), lastInput.size(3), lastInput.size(1));
      spatial = new HashMap<>();
      graph
          .getConfiguration()
          .getLayerActivationTypes(in)
          .forEach(
              (name, type) ->
                  spatial.put(
                      name,
                      type instanceof InputType.InputTypeConvolutional conv
                          ? conv.getHeight() * conv.getWidth()
                          : 1L));
    }
    return spatial.getOrDefault(layer.getConfig().getLayerName(), 1L);
  }

  /** A copy of the parameters as a new array (for tests and checkpoints). */
  public INDArray paramsCopy() {
    return Nd4j.toFlattened(graph.params()).dup();
  }
}

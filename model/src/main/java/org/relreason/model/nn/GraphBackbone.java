package org.relreason.model.nn;

import java.util.Map;
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
    lastInput = null;
  }

  /** A copy of the parameters as a new array (for tests and checkpoints). */
  public INDArray paramsCopy() {
    return Nd4j.toFlattened(graph.params()).dup();
  }
}

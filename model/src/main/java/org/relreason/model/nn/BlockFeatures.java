package org.relreason.model.nn;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The globally average-pooled output of every block of a backbone, in inference mode: the features
 * of the layer-wise probes of Kolesnikov et al. 2019 (Section 4.2: "with skip connections the last
 * block is best, plain networks degrade toward the end"). Conv-4 has 4 blocks (conv-BN-ReLU, taken
 * before its 2x2 pooling), the CIFAR ResNets 3 stages and ResNet-34 4 stages (the final ReLU of a
 * stage's last basic block); the last block is the backbone's own feature vector.
 *
 * <p>It runs the Deeplearning4j graph of the same architecture with the backbone's parameters
 * copied in: the fast backbones share the graph's flat parameter layout ({@link
 * Backbones#buildFast}), so any backbone of {@link Backbones} can be read this way without a second
 * forward path in the fast code. Inference only: batch-norm uses its running statistics.
 */
public final class BlockFeatures {
  private static final Pattern CONV4_BLOCK = Pattern.compile("block(\\d+)_relu");
  private static final Pattern RESNET_BLOCK = Pattern.compile("stage(\\d+)_block(\\d+)_relu");

  /** The name of the representation layer's output among the blocks. */
  public static final String REPRESENTATION = "representation";

  private final ComputationGraph graph;
  private final List<String> blocks;
  private final RepresentationBackbone representation;

  private BlockFeatures(ComputationGraph graph, RepresentationBackbone representation) {
    this.graph = graph;
    this.representation = representation;
    List<String> names =
        new ArrayList<>(blockOutputs(graph.getConfiguration().getVertices().keySet()));
    if (names.isEmpty()) {
      throw new IllegalArgumentException("the graph has no block outputs to probe");
    }
    if (representation != null) {
      names.add(REPRESENTATION);
    }
    this.blocks = List.copyOf(names);
  }

  /**
   * The blocks of {@code backbone}, built as {@code spec} describes; behind a {@link
   * RepresentationBackbone}, the representation layer's output comes last.
   *
   * @throws IllegalArgumentException if the backbone's parameters do not fit that architecture
   */
  public static BlockFeatures of(BackboneSpec spec, Backbone backbone) {
    Objects.requireNonNull(backbone, "backbone");
    RepresentationBackbone representation = backbone instanceof RepresentationBackbone r ? r : null;
    INDArray params = representation == null ? backbone.params() : representation.inner().params();
    GraphBackbone reference = (GraphBackbone) Backbones.build(spec, 0, params.dataType());
    if (reference.numParams() != params.length()) {
      throw new IllegalArgumentException(
          "a "
              + spec.kind().id()
              + " of width "
              + spec.width()
              + " has "
              + reference.numParams()
              + " parameters, the backbone "
              + params.length());
    }
    reference.params().assign(params.reshape(reference.params().shape()));
    return new BlockFeatures(reference.graph(), representation);
  }

  /** Names of the vertices read, first block first. */
  public List<String> names() {
    return blocks;
  }

  /** Number of blocks. */
  public int count() {
    return blocks.size();
  }

  /**
   * Pooled outputs {@code [N, C_b]} of every block for images {@code [N, C, H, W]}, first block
   * first. The arrays are new; the caller owns them. The graph's other activations are freed here
   * (a ResNet's are hundreds of MB a batch off-heap, too much to leave to the garbage collector).
   */
  public List<INDArray> forward(INDArray images) {
    Map<String, INDArray> acts = graph.feedForward(new INDArray[] {images}, false, false);
    List<INDArray> out = new ArrayList<>(blocks.size());
    for (String block : blocks) {
      if (block.equals(REPRESENTATION)) {
        out.add(representation.project(out.get(out.size() - 1)));
      } else {
        // NCHW: the mean over height and width is global average pooling
        out.add(acts.get(block).mean(2, 3));
      }
    }
    for (INDArray a : acts.values()) {
      if (a != images && !a.wasClosed() && a.closeable()) {
        a.close();
      }
    }
    return out;
  }

  /**
   * The vertices whose outputs are blocks: Conv-4's {@code block<i>_relu}, a ResNet's last {@code
   * stage<s>_block<b>_relu} of each stage, in order.
   */
  static List<String> blockOutputs(Iterable<String> vertices) {
    TreeMap<Integer, String> conv = new TreeMap<>();
    TreeMap<Integer, Integer> lastBlock = new TreeMap<>();
    for (String v : vertices) {
      Matcher c = CONV4_BLOCK.matcher(v);
      Matcher r = RESNET_BLOCK.matcher(v);
      if (c.matches()) {
        conv.put(Integer.parseInt(c.group(1)), v);
      } else if (r.matches()) {
        lastBlock.merge(Integer.parseInt(r.group(1)), Integer.parseInt(r.group(2)), Math::max);
      }
    }
    List<String> out = new ArrayList<>(conv.values());
    lastBlock.forEach((s, b) -> out.add("stage" + s + "_block" + b + "_relu"));
    return out;
  }
}

package org.relreason.model.benchmark;

import org.relreason.model.method.MethodKind;
import org.relreason.model.nn.BackboneKind;

/**
 * One cell of a grid: a method pre-training a backbone on a dataset with a seed.
 *
 * @param method pre-training method
 * @param backbone backbone
 * @param dataset dataset name
 * @param seed the run's seed
 */
public record Cell(MethodKind method, BackboneKind backbone, String dataset, long seed) {

  /** The cell's directory name: {@code <method>-<backbone>-<dataset>-s<seed>}. */
  public String name() {
    return method.id() + "-" + backbone.id() + "-" + dataset + "-s" + seed;
  }

  /** The aggregation group: the cell without its seed. */
  public Group group() {
    return new Group(method.id(), backbone.id(), dataset);
  }

  /**
   * Cells that differ only by seed; their scores are averaged.
   *
   * @param method method id
   * @param backbone backbone id
   * @param dataset dataset name
   */
  public record Group(String method, String backbone, String dataset) {}
}

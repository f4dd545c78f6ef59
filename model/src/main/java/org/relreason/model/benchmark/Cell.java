package org.relreason.model.benchmark;

import org.relreason.model.config.MethodKind;
import org.relreason.model.nn.BackboneKind;

/**
 * One cell of a grid: a method pre-training a backbone (of a width) on a dataset with a seed.
 *
 * @param method pre-training method
 * @param backbone backbone
 * @param dataset dataset name
 * @param seed the run's seed
 * @param width the backbone's width multiplier k when the grid has a {@code widths} axis, else null
 *     (the width is then the shared settings', and the cell's name and label do not show it)
 */
public record Cell(
    MethodKind method, BackboneKind backbone, String dataset, long seed, Double width) {

  /** A cell of a grid without a widths axis. */
  public Cell(MethodKind method, BackboneKind backbone, String dataset, long seed) {
    this(method, backbone, dataset, seed, null);
  }

  /**
   * The cell's directory name: {@code <method>-<backbone>-<dataset>-s<seed>}, with {@code -w<k>}
   * after the backbone on a widths axis (the cells of grids without one keep their names).
   */
  public String name() {
    return method.id()
        + "-"
        + backbone.id()
        + (width == null ? "" : "-w" + widthText(width))
        + "-"
        + dataset
        + "-s"
        + seed;
  }

  /**
   * The backbone as tables and cell results name it: its id, with {@code " x<k>"} on a widths axis
   * (e.g. {@code conv4 x2}).
   */
  public String backboneLabel() {
    return width == null ? backbone.id() : backbone.id() + " x" + widthText(width);
  }

  /** A width without a needless ".0": 2, 0.5. */
  public static String widthText(double width) {
    return java.math.BigDecimal.valueOf(width).stripTrailingZeros().toPlainString();
  }

  /** The aggregation group: the cell without its seed. */
  public Group group() {
    return new Group(method.id(), backboneLabel(), dataset);
  }

  /**
   * Cells that differ only by seed; their scores are averaged.
   *
   * @param method method id
   * @param backbone backbone label ({@link #backboneLabel()})
   * @param dataset dataset name
   */
  public record Group(String method, String backbone, String dataset) {}
}

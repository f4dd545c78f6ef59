package org.relreason.model.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The input of one step of a {@link PretrainModel}.
 *
 * @param views augmented views {@code [V*M, C, H, W]}, view-major (view v of image n at row {@code
 *     v*M + n}), V = {@link PretrainModel#viewsPerImage()}
 * @param images the dataset indices of the M images
 * @param labels a label per image (-1 = unknown) when the method uses labels, else null
 */
public record Batch(INDArray views, int[] images, int[] labels) {

  /** Images in the minibatch (M). */
  public int m() {
    return images.length;
  }

  /** Views per image (V). */
  public int viewsPerImage() {
    return (int) (views.size(0) / images.length);
  }
}

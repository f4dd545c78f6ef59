package org.relreason.model.features;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BlockFeatures;

/**
 * Computes the features of a frozen backbone over a labelled image set, once, for the evaluators.
 *
 * <p>Images get only the per-channel normalisation (no augmentation: the evaluation protocol scores
 * the representation of the images themselves), and the backbone runs with batch-norm in inference
 * mode, so a feature does not depend on which other images share its batch. The batch size only
 * bounds native memory.
 */
public final class FeatureExtractor {
  /** Default images per forward pass: ~3 MB of CIFAR input, enough to keep the BLAS busy. */
  public static final int DEFAULT_BATCH_SIZE = 256;

  private final Normalization normalization;
  private final int batchSize;

  /** An extractor with {@link #DEFAULT_BATCH_SIZE}. */
  public FeatureExtractor(Normalization normalization) {
    this(normalization, DEFAULT_BATCH_SIZE);
  }

  /**
   * @param normalization per-channel constants of the dataset
   * @param batchSize images per forward pass, at least 1
   */
  public FeatureExtractor(Normalization normalization, int batchSize) {
    this.normalization = Objects.requireNonNull(normalization, "normalization");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    this.batchSize = batchSize;
  }

  /** Features of every image of {@code images}, in order, with their labels. */
  public FeatureSet extract(Backbone backbone, ImageSet images) {
    Objects.requireNonNull(images, "images");
    if (!images.labeled()) {
      throw new IllegalArgumentException(images.name() + " has no labels: cannot evaluate on it");
    }
    float[] features = features(backbone, images);
    return new FeatureSet(
        features,
        images.labels().clone(),
        images.size(),
        backbone.featureSize(),
        images.numClasses());
  }

  /**
   * Features {@code [n, d]} (row-major) of every image of a set, labeled or not (DeepCluster
   * clusters them).
   */
  public float[] features(Backbone backbone, ImageSet images) {
    Objects.requireNonNull(backbone, "backbone");
    check(images);
    int d = backbone.featureSize();
    // The network's own type, so a DOUBLE network (gradient checks, tests) gets DOUBLE input.
    DataType dtype = backbone.params().dataType();
    float[] features = new float[Math.multiplyExact(images.size(), d)];
    for (int from = 0; from < images.size(); from += batchSize) {
      int to = Math.min(images.size(), from + batchSize);
      float[] batch = forward(backbone, images, from, to, dtype);
      if (batch.length != (to - from) * d) {
        throw new IllegalStateException(
            "backbone returned " + batch.length + " values for " + (to - from) + " x d=" + d);
      }
      System.arraycopy(batch, 0, features, from * d, batch.length);
    }
    return features;
  }

  /**
   * The pooled output of every block ({@link BlockFeatures}) of every image of a labelled set, one
   * feature set per block, first block first.
   */
  public List<FeatureSet> extractBlocks(BlockFeatures blocks, ImageSet images) {
    Objects.requireNonNull(blocks, "blocks");
    check(images);
    if (!images.labeled()) {
      throw new IllegalArgumentException(images.name() + " has no labels: cannot evaluate on it");
    }
    List<float[]> features = new ArrayList<>();
    int[] sizes = new int[blocks.count()];
    for (int from = 0; from < images.size(); from += batchSize) {
      int to = Math.min(images.size(), from + batchSize);
      INDArray input =
          Nd4j.createFromArray(normalized(images, normalization, from, to))
              .reshape('c', to - from, images.channels(), images.height(), images.width());
      List<INDArray> pooled = blocks.forward(input);
      for (int b = 0; b < pooled.size(); b++) {
        INDArray asFloat = pooled.get(b).castTo(DataType.FLOAT);
        if (from == 0) {
          sizes[b] = (int) asFloat.size(1);
          features.add(new float[Math.multiplyExact(images.size(), sizes[b])]);
        }
        float[] values = NdArrays.rowMajor(asFloat);
        System.arraycopy(values, 0, features.get(b), from * sizes[b], values.length);
        NdArrays.release(asFloat);
        NdArrays.release(pooled.get(b));
      }
      NdArrays.release(input);
    }
    List<FeatureSet> out = new ArrayList<>();
    for (int b = 0; b < sizes.length; b++) {
      out.add(
          new FeatureSet(
              features.get(b),
              images.labels().clone(),
              images.size(),
              sizes[b],
              images.numClasses()));
    }
    return out;
  }

  private void check(ImageSet images) {
    Objects.requireNonNull(images, "images");
    if (images.size() == 0) {
      throw new IllegalArgumentException(images.name() + " is empty: nothing to evaluate");
    }
    if (images.channels() != normalization.channels()) {
      throw new IllegalArgumentException(
          images.name()
              + " has "
              + images.channels()
              + " channels but the normalisation covers "
              + normalization.channels());
    }
  }

  /** Features of images {@code [from, to)}, row-major, as floats. */
  private float[] forward(Backbone backbone, ImageSet images, int from, int to, DataType dtype) {
    INDArray input =
        Nd4j.createFromArray(normalized(images, normalization, from, to))
            .reshape('c', to - from, images.channels(), images.height(), images.width());
    INDArray typed = input.dataType() == dtype ? input : input.castTo(dtype);
    INDArray out = backbone.forward(typed, false);
    INDArray asFloat = out.castTo(DataType.FLOAT);
    float[] values = NdArrays.rowMajor(asFloat);
    // The batch's native buffers are ours and nothing else holds them: free them now rather than
    // at the next GC, which could be many batches (and hundreds of MB off-heap) later.
    NdArrays.release(asFloat);
    NdArrays.release(out);
    NdArrays.release(typed);
    NdArrays.release(input);
    return values;
  }

  /** Normalised pixels of images {@code [from, to)} in the ImageSet's planar layout (= NCHW). */
  public static float[] normalized(ImageSet images, Normalization norm, int from, int to) {
    int per = images.imageBytes();
    int plane = images.height() * images.width();
    byte[] px = images.pixels();
    float[] out = new float[(to - from) * per];
    for (int k = 0; k < out.length; k++) {
      int c = (k % per) / plane;
      out[k] = norm.apply(c, px[from * per + k] & 0xFF);
    }
    return out;
  }
}

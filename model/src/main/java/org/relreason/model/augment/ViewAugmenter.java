package org.relreason.model.augment;

import java.util.Objects;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;

/**
 * Produces augmented views as float32 planar {@code C x H x W} arrays, normalised, following the
 * paper's torchvision pipeline: {@code RandomResizedCrop}, {@code RandomHorizontalFlip}, {@code
 * RandomApply(ColorJitter)}, {@code RandomGrayscale}, {@code Normalize}. On 1-channel images only
 * the crop, flip, brightness and contrast apply.
 *
 * <p>A view is a pure function of {@code (seed, epoch, imageIndex, viewIndex)}: its random stream
 * is seeded from a hash of the four (see {@link ViewRandom}), and all arithmetic is in Java's
 * strict IEEE float, so results are bit-identical whatever the thread count, the order of
 * computation or the machine. Thread-safe; the batch methods run on a pool this object owns, so
 * close it when done.
 */
public final class ViewAugmenter implements AutoCloseable {
  private final AugmentationConfig config;
  private final float[] mean;
  private final float[] std;
  private final ParallelRows rows;
  private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

  /**
   * An augmenter whose batch methods run on a pool of {@code threads} threads.
   *
   * @param config the augmentation, including the output size
   * @param normalization the dataset's per-channel statistics; a 1-channel image uses channel 0
   * @param threads threads of the batch methods, at least 1
   */
  public ViewAugmenter(AugmentationConfig config, Normalization normalization, int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be at least 1, got " + threads);
    }
    this.config = Objects.requireNonNull(config, "config");
    this.mean = Objects.requireNonNull(normalization, "normalization").mean();
    this.std = normalization.std();
    this.rows = new ParallelRows(threads, "relreason-augment");
  }

  /** The configuration views are drawn from. */
  public AugmentationConfig config() {
    return config;
  }

  /** Floats in one view of an image of {@code set}. */
  public int viewLength(ImageSet set) {
    return set.channels() * config.outputHeight() * config.outputWidth();
  }

  /**
   * Writes view {@code viewIndex} of image {@code imageIndex} for {@code epoch} into {@code out}
   * from {@code offset}, drawing in torchvision's order: crop box, flip, whether to jitter, the
   * jitter's order and factors, grayscale.
   */
  public void augment(
      ImageSet set, int imageIndex, long seed, int epoch, int viewIndex, float[] out, int offset) {
    check(set, imageIndex, out, offset);
    Draws d = draws(set.channels(), set.height(), set.width(), seed, epoch, imageIndex, viewIndex);
    int outH = config.outputHeight();
    int outW = config.outputWidth();
    Scratch s = scratch.get().ensure(set.channels(), outH, outW);
    BilinearCrop.resample(set, imageIndex, d.box(), d.flip(), outH, outW, s);
    if (d.jitter() != null) {
      d.jitter().apply(s.pixels, set.channels(), outH * outW);
    }
    normalise(s.pixels, set.channels(), outH * outW, d.gray(), out, offset);
  }

  /**
   * The random choices of one view, in torchvision's order: crop box, flip, whether to jitter, the
   * jitter's order and factors (null when it does not apply), grayscale.
   */
  record Draws(CropBox box, boolean flip, ColorJitter jitter, boolean gray) {}

  /** The draws of view {@code viewIndex} of an image of the given geometry. */
  Draws draws(
      int channels, int height, int width, long seed, int epoch, int imageIndex, int viewIndex) {
    ViewRandom rng = ViewRandom.forView(seed, epoch, imageIndex, viewIndex);
    CropBox box = CropBox.sample(config.scale(), config.ratio(), height, width, rng);
    boolean flip = rng.chance(config.flipProbability());
    ColorJitter jitter =
        rng.chance(config.jitterProbability()) ? ColorJitter.draw(config, channels, rng) : null;
    boolean gray = rng.chance(config.grayscaleProbability()) && channels == 3;
    return new Draws(box, flip, jitter, gray);
  }

  /**
   * Writes image {@code imageIndex} without augmentation, for evaluation: resized bilinearly to the
   * output size if it differs (exactly copied if not), then normalised.
   */
  public void plain(ImageSet set, int imageIndex, float[] out, int offset) {
    check(set, imageIndex, out, offset);
    int outH = config.outputHeight();
    int outW = config.outputWidth();
    Scratch s = scratch.get().ensure(set.channels(), outH, outW);
    CropBox whole = CropBox.whole(set.height(), set.width());
    BilinearCrop.resample(set, imageIndex, whole, false, outH, outW, s);
    normalise(s.pixels, set.channels(), outH * outW, false, out, offset);
  }

  /**
   * Views {@code 0..k-1} of each listed image, view-major: view {@code v} of the {@code n}-th
   * listed image is row {@code v * M + n}, {@code M = imageIndices.length}.
   */
  public float[] views(ImageSet set, int[] imageIndices, int k, long seed, int epoch) {
    return views(set, imageIndices, firstViews(k), seed, epoch);
  }

  /** View indices {@code 0..k-1}. */
  private static int[] firstViews(int k) {
    return java.util.stream.IntStream.range(0, k).toArray();
  }

  /**
   * The given views of each listed image, view-major: view {@code viewIndices[j]} of the {@code
   * n}-th listed image is row {@code j * M + n}, {@code M = imageIndices.length}.
   */
  public float[] views(ImageSet set, int[] imageIndices, int[] viewIndices, long seed, int epoch) {
    int len = viewLength(set);
    return views(
        set,
        imageIndices,
        viewIndices,
        seed,
        epoch,
        new float
            [Math.multiplyExact(Math.multiplyExact(viewIndices.length, imageIndices.length), len)]);
  }

  /**
   * Views {@code 0..k-1} of each listed image into {@code out} (of exactly {@code k · M ·} {@link
   * #viewLength} floats), which is returned: a training loop reuses its buffers instead of
   * allocating a batch of views per step.
   */
  public float[] views(ImageSet set, int[] imageIndices, int k, long seed, int epoch, float[] out) {
    return views(set, imageIndices, firstViews(k), seed, epoch, out);
  }

  private float[] views(
      ImageSet set, int[] imageIndices, int[] viewIndices, long seed, int epoch, float[] out) {
    int m = imageIndices.length;
    int len = viewLength(set);
    long need = (long) viewIndices.length * m * len;
    if (out.length != need) {
      throw new IllegalArgumentException(
          "a views buffer of "
              + out.length
              + " floats for "
              + viewIndices.length
              + " views of "
              + m
              + " images of "
              + len
              + " floats ("
              + need
              + ")");
    }
    checkIndices(set, imageIndices);
    rows.forEach(
        viewIndices.length * m,
        row ->
            augment(set, imageIndices[row % m], seed, epoch, viewIndices[row / m], out, row * len));
    return out;
  }

  /** The listed images without augmentation, one row each, in order. */
  public float[] plainBatch(ImageSet set, int[] imageIndices) {
    int len = viewLength(set);
    float[] out = new float[Math.multiplyExact(imageIndices.length, len)];
    checkIndices(set, imageIndices);
    rows.forEach(imageIndices.length, row -> plain(set, imageIndices[row], out, row * len));
    return out;
  }

  /** Stops the pool; batches already running finish. */
  @Override
  public void close() {
    rows.close();
  }

  /** Grayscale (if asked) and per-channel normalisation, from scratch into the caller's array. */
  private void normalise(float[] px, int channels, int n, boolean gray, float[] out, int offset) {
    if (gray) {
      for (int p = 0; p < n; p++) {
        float l = ColorJitter.luma(px[p], px[p + n], px[p + 2 * n]);
        px[p] = l;
        px[p + n] = l;
        px[p + 2 * n] = l;
      }
    }
    for (int c = 0, i = 0; c < channels; c++) {
      float mu = mean[c];
      float sigma = std[c];
      for (int end = i + n; i < end; i++) {
        // Same operations as Normalization.apply, so an unaugmented pixel matches it bit for bit.
        out[offset + i] = (px[i] - mu) / sigma;
      }
    }
  }

  private void check(ImageSet set, int imageIndex, float[] out, int offset) {
    if (set.channels() != 1 && set.channels() != 3) {
      throw new IllegalArgumentException(set + ": only 1- or 3-channel images can be augmented");
    }
    if (set.channels() > mean.length) {
      throw new IllegalArgumentException(
          set + " has more channels than the normalisation (" + mean.length + ")");
    }
    Objects.checkIndex(imageIndex, set.size());
    Objects.checkFromIndexSize(offset, viewLength(set), out.length);
  }

  private static void checkIndices(ImageSet set, int[] imageIndices) {
    for (int i : imageIndices) {
      Objects.checkIndex(i, set.size());
    }
  }
}

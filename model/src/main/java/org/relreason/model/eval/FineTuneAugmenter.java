package org.relreason.model.eval;

import java.util.SplittableRandom;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.train.Seeds;

/**
 * Applies a {@link FineTuneAugmentation} to fine-tuning batches, in torchvision's order
 * (RandomHorizontalFlip, RandomApply(RandomAffine), ToTensor, Normalize, RandomErasing) and with
 * its sampling (not bit-exact to PIL's resampling). Every image's draws come from a generator
 * seeded by (seed, epoch, image index), so a batch is the same whatever else shares it and on any
 * thread.
 */
public final class FineTuneAugmenter {
  private final FineTuneAugmentation a;
  private final long seed;

  /** An augmenter of these settings, its draws derived from {@code seed}. */
  public FineTuneAugmenter(FineTuneAugmentation a, long seed) {
    this.a = a;
    this.seed = seed;
  }

  /**
   * The normalised, augmented pixels of a batch, NCHW.
   *
   * @param batch the batch's images
   * @param indices each image's index in the training set (what its draws depend on)
   * @param norm the dataset's normalisation
   * @param epoch the epoch (0-based)
   */
  public float[] batch(ImageSet batch, int[] indices, Normalization norm, int epoch) {
    int c = batch.channels();
    int h = batch.height();
    int w = batch.width();
    int per = batch.imageBytes();
    float[] out = new float[batch.size() * per];
    float[] img = new float[per];
    float[] mean = norm.mean();
    float[] std = norm.std();
    for (int n = 0; n < batch.size(); n++) {
      SplittableRandom rng =
          new SplittableRandom(Seeds.mix(Seeds.mix(seed, epoch), indices[n] + 0x46_54L));
      for (int k = 0; k < per; k++) {
        img[k] = (batch.pixels()[n * per + k] & 0xFF) / 255f;
      }
      float[] x = image(img, c, h, w, rng);
      for (int k = 0; k < per; k++) {
        int ch = k / (h * w);
        out[n * per + k] = (x[k] - mean[ch]) / std[ch];
      }
      erase(out, n * per, c, h, w, rng);
    }
    return out;
  }

  /** Flip and affine map of one image in [0, 1], CHW; returns a new array or {@code img}. */
  float[] image(float[] img, int c, int h, int w, SplittableRandom rng) {
    float[] x = img;
    if (rng.nextDouble() < a.flip()) {
      x = new float[img.length];
      for (int ch = 0; ch < c; ch++) {
        for (int y = 0; y < h; y++) {
          for (int i = 0; i < w; i++) {
            x[(ch * h + y) * w + i] = img[(ch * h + y) * w + (w - 1 - i)];
          }
        }
      }
    }
    if (rng.nextDouble() < a.affine()) {
      x = affine(x, c, h, w, rng);
    }
    return x;
  }

  /**
   * torchvision's RandomAffine: angle, translation (whole pixels), scale and x-shear drawn in that
   * order; the output pixel centre is mapped through the inverse map about the image centre and
   * sampled bilinearly, zero outside.
   */
  private float[] affine(float[] img, int c, int h, int w, SplittableRandom rng) {
    double angle = Math.toRadians(uniform(rng, -a.degrees(), a.degrees()));
    double tx = Math.round(uniform(rng, -a.translate() * w, a.translate() * w));
    double ty = Math.round(uniform(rng, -a.translate() * h, a.translate() * h));
    double scale = uniform(rng, a.scaleMin(), a.scaleMax());
    double shear = Math.toRadians(uniform(rng, -a.shear(), a.shear()));
    // forward map M = T(t) C R(angle) Sh(shear) S(scale) C^-1; inverse rows (m0 m1 m2; m3 m4 m5)
    double ra = Math.cos(angle);
    double rb = -Math.cos(angle) * Math.tan(shear) - Math.sin(angle);
    double rc = Math.sin(angle);
    double rd = -Math.sin(angle) * Math.tan(shear) + Math.cos(angle);
    double det = (ra * rd - rb * rc) * scale;
    double m0 = rd / det;
    double m1 = -rb / det;
    double m3 = -rc / det;
    double m4 = ra / det;
    double cx = w * 0.5;
    double cy = h * 0.5;
    float[] out = new float[img.length];
    for (int y = 0; y < h; y++) {
      for (int i = 0; i < w; i++) {
        double dx = i + 0.5 - cx - tx;
        double dy = y + 0.5 - cy - ty;
        double sx = m0 * dx + m1 * dy + cx - 0.5;
        double sy = m3 * dx + m4 * dy + cy - 0.5;
        for (int ch = 0; ch < c; ch++) {
          out[(ch * h + y) * w + i] = bilinear(img, ch, h, w, sx, sy);
        }
      }
    }
    return out;
  }

  private static float bilinear(float[] img, int ch, int h, int w, double sx, double sy) {
    int x0 = (int) Math.floor(sx);
    int y0 = (int) Math.floor(sy);
    double fx = sx - x0;
    double fy = sy - y0;
    double v = 0;
    for (int j = 0; j < 2; j++) {
      for (int i = 0; i < 2; i++) {
        int xi = x0 + i;
        int yj = y0 + j;
        double wgt = (i == 0 ? 1 - fx : fx) * (j == 0 ? 1 - fy : fy);
        if (wgt != 0 && xi >= 0 && xi < w && yj >= 0 && yj < h) {
          v += wgt * img[(ch * h + yj) * w + xi];
        }
      }
    }
    return (float) v;
  }

  /**
   * torchvision's RandomErasing with a fixed area and aspect ratio 1: a square of side
   * round(sqrt(area · h · w)) at a uniform position, every channel set to 0.
   */
  private void erase(float[] out, int from, int c, int h, int w, SplittableRandom rng) {
    if (!(rng.nextDouble() < a.erasing())) {
      return;
    }
    int side = (int) Math.round(Math.sqrt(a.erasingArea() * h * w));
    if (side < 1 || side >= h || side >= w) {
      return; // torchvision leaves the image alone when the box does not fit
    }
    int top = rng.nextInt(h - side + 1);
    int left = rng.nextInt(w - side + 1);
    for (int ch = 0; ch < c; ch++) {
      for (int y = top; y < top + side; y++) {
        java.util.Arrays.fill(
            out, from + (ch * h + y) * w + left, from + (ch * h + y) * w + left + side, 0f);
      }
    }
  }

  private static double uniform(SplittableRandom rng, double lo, double hi) {
    return lo == hi ? lo : rng.nextDouble(lo, hi);
  }
}

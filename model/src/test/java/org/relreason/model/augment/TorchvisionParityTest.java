package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;

/**
 * relreason's augmentation against statistics exported from torchvision on the same real
 * Fashion-MNIST images ({@code bench/augment_stats.py}, committed as {@code
 * parity/augment-stats.json}): RandomResizedCrop's area-fraction and aspect-ratio histograms and
 * its centre-crop fallback, the flip rate, ColorJitter's factor ranges and random order, the
 * grayscale weights, and the per-channel mean and std of 10,000 normalised views of the whole
 * pipeline. Frequencies must agree within five standard errors of the difference of two independent
 * samples of that size; the view statistics within 0.02 (the reference's PIL pipeline rounds to 8
 * bits after each step, relreason stays in float).
 */
class TorchvisionParityTest {
  static JsonNode torch;
  static ImageSet images;
  static ViewAugmenter augmenter;
  static int views;

  @BeforeAll
  static void load() throws IOException {
    torch =
        new ObjectMapper()
            .readTree(Path.of("src/test/resources/parity/augment-stats.json").toFile());
    int n = 2000;
    views = torch.get("samples").asInt() / n;
    images =
        Datasets.load(
            "fashion-mnist",
            Path.of(System.getProperty("fashion.mnist.dir", "/usr/share/datasets/fashion-mnist")),
            Split.TRAIN,
            n);
    augmenter =
        new ViewAugmenter(
            AugmentationConfig.paper().withOutputSize(32, 32), Normalization.FASHION_MNIST, 2);
  }

  private static ViewAugmenter.Draws draw(int sample) {
    int image = sample % images.size();
    int view = sample / images.size();
    return augmenter.draws(3, 32, 32, 7, 0, image, view);
  }

  private static int samples() {
    return images.size() * views;
  }

  @Test
  void cropAreaAndAspectRatioFollowTorchvision() {
    double[] areaBins = doubles(torch.get("crop_area_bins"));
    double[] ratioBins = doubles(torch.get("crop_log_ratio_bins"));
    double[] area = new double[samples()];
    double[] logRatio = new double[samples()];
    double meanArea = 0;
    for (int i = 0; i < samples(); i++) {
      CropBox b = draw(i).box();
      area[i] = b.height() * b.width() / 1024.0;
      logRatio[i] = Math.log((double) b.width() / b.height());
      meanArea += area[i] / samples();
    }
    assertFrequencies("crop area", hist(area, areaBins), doubles(torch.get("crop_area_hist")));
    assertFrequencies(
        "crop log ratio", hist(logRatio, ratioBins), doubles(torch.get("crop_log_ratio_hist")));
    assertThat(meanArea).isCloseTo(torch.get("crop_area_mean").asDouble(), within(0.01));
  }

  @Test
  void afterTenFailedTriesTheCropIsTheCentralOneAsTorchvisions() {
    CropBox b =
        CropBox.sample(
            new AugmentationConfig.Range(1.5, 2.0),
            new AugmentationConfig.Range(3.0 / 4, 4.0 / 3),
            32,
            32,
            ViewRandom.forView(1, 0, 0, 0));
    JsonNode f = torch.get("crop_fallback_for_unreachable_scale");
    assertThat(new int[] {b.top(), b.left(), b.height(), b.width()})
        .containsExactly(f.get(0).asInt(), f.get(1).asInt(), f.get(2).asInt(), f.get(3).asInt());
  }

  @Test
  void flipJitterAndGrayscaleRates() {
    int flips = 0;
    int jitters = 0;
    int grays = 0;
    for (int i = 0; i < samples(); i++) {
      ViewAugmenter.Draws d = draw(i);
      flips += d.flip() ? 1 : 0;
      jitters += d.jitter() != null ? 1 : 0;
      grays += d.gray() ? 1 : 0;
    }
    double n = samples();
    assertThat(flips / n)
        .isCloseTo(torch.get("flip_rate").asDouble(), within(5 * Math.sqrt(2 * 0.25 / n)));
    assertThat(jitters / n).isCloseTo(0.8, within(5 * Math.sqrt(0.16 / n)));
    assertThat(grays / n).isCloseTo(0.2, within(5 * Math.sqrt(0.16 / n)));
  }

  @Test
  void jitterFactorsAndOrderFollowTorchvision() {
    String[] names = {"brightness", "contrast", "saturation", "hue"};
    double[][] order = new double[4][4];
    double[] min = {9, 9, 9, 9};
    double[] max = {-9, -9, -9, -9};
    double[] mean = new double[4];
    int n = 0;
    for (int i = 0; i < samples(); i++) {
      ColorJitter j = draw(i).jitter();
      if (j == null) {
        continue;
      }
      n++;
      int[] ops = j.order();
      assertThat(ops).hasSize(4);
      for (int pos = 0; pos < 4; pos++) {
        order[ops[pos]][pos]++;
      }
      for (int op = 0; op < 4; op++) {
        min[op] = Math.min(min[op], j.factor(op));
        max[op] = Math.max(max[op], j.factor(op));
        mean[op] += j.factor(op);
      }
    }
    JsonNode tOrder = torch.get("jitter_order_frequency");
    double se = Math.sqrt(0.25 * 0.75 / n + 0.25 * 0.75 / samples());
    for (int op = 0; op < 4; op++) {
      for (int pos = 0; pos < 4; pos++) {
        assertThat(order[op][pos] / n)
            .as("%s at position %d", names[op], pos)
            .isCloseTo(tOrder.get(op).get(pos).asDouble(), within(5 * se));
      }
      String k = names[op];
      assertThat(min[op])
          .as(k + " min")
          .isCloseTo(torch.get("jitter_factor_min").get(k).asDouble(), within(0.01));
      assertThat(max[op])
          .as(k + " max")
          .isCloseTo(torch.get("jitter_factor_max").get(k).asDouble(), within(0.01));
      assertThat(mean[op] / n)
          .as(k + " mean")
          .isCloseTo(torch.get("jitter_factor_mean").get(k).asDouble(), within(0.02));
    }
  }

  @Test
  void grayscaleWeightsAreThoseOfThePilImagesTheReferenceGrays() {
    JsonNode w = torch.get("grayscale_weights");
    // PIL rounds to 8 bits: weight * 255 rounded, so the reference is known to +-0.5/255
    assertThat((double) ColorJitter.luma(1, 0, 0))
        .isCloseTo(w.get(0).asDouble(), within(0.5 / 255));
    assertThat((double) ColorJitter.luma(0, 1, 0))
        .isCloseTo(w.get(1).asDouble(), within(0.5 / 255));
    assertThat((double) ColorJitter.luma(0, 0, 1))
        .isCloseTo(w.get(2).asDouble(), within(0.5 / 255));
  }

  @Test
  void normalisedViewsHaveTheReferencesMeanAndStd() {
    int[] idx = new int[images.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = i;
    }
    float[] v = augmenter.views(images, idx, views, 7, 0);
    int plane = 32 * 32;
    for (int c = 0; c < 3; c++) {
      double sum = 0;
      double sq = 0;
      long count = 0;
      for (int row = 0; row < samples(); row++) {
        int base = row * 3 * plane + c * plane;
        for (int p = 0; p < plane; p++) {
          double x = v[base + p];
          sum += x;
          sq += x * x;
          count++;
        }
      }
      double mean = sum / count;
      double std = Math.sqrt(sq / count - mean * mean);
      assertThat(mean)
          .as("channel %d mean", c)
          .isCloseTo(torch.get("view_mean").get(c).asDouble(), within(0.02));
      assertThat(std)
          .as("channel %d std", c)
          .isCloseTo(torch.get("view_std").get(c).asDouble(), within(0.02));
    }
  }

  private static void assertFrequencies(String what, double[] ours, double[] theirs) {
    assertThat(ours).hasSameSizeAs(theirs);
    double n = samples();
    for (int b = 0; b < ours.length; b++) {
      double p = theirs[b];
      double tol = 5 * Math.sqrt(2 * Math.max(p, 1 / n) * (1 - p) / n);
      assertThat(ours[b]).as("%s bin %d", what, b).isCloseTo(p, within(tol));
    }
  }

  private static double[] hist(double[] values, double[] bins) {
    double[] h = new double[bins.length - 1];
    for (double v : values) {
      for (int b = 0; b < h.length; b++) {
        boolean last = b == h.length - 1;
        if (v >= bins[b] && (v < bins[b + 1] || (last && v <= bins[b + 1]))) {
          h[b] += 1.0 / values.length;
          break;
        }
      }
    }
    return h;
  }

  private static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = a.get(i).asDouble();
    }
    return out;
  }
}

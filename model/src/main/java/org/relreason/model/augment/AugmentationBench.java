package org.relreason.model.augment;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;

/**
 * Throughput of {@link ViewAugmenter} on synthetic random 32x32 RGB images with the paper's config,
 * for 1 and 2 threads. A {@code main}, not a test, so timings never gate a build. Run with:
 *
 * <pre>
 * mvn -o -q compile -pl model
 * java -cp model/target/classes org.relreason.model.augment.AugmentationBench
 * </pre>
 *
 * <p>Besides wall-clock views per second it prints views per second of process CPU time, which
 * stays meaningful on a machine shared with other jobs (it also counts JIT and GC threads, so it
 * slightly understates the augmentation's own speed).
 *
 * <p>Optional arguments: seconds measured per setting (default 5), K (4), M (64).
 */
public final class AugmentationBench {
  private AugmentationBench() {}

  /** Prints one {@code augment K=.. M=.. threads=.. views_per_s=..} line per thread count. */
  public static void main(String[] args) {
    double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 5;
    int k = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    int m = args.length > 2 ? Integer.parseInt(args[2]) : 64;
    ImageSet set = randomImages(4096, 32, 32, 42);
    for (int threads : new int[] {1, 2}) {
      try (ViewAugmenter aug =
          new ViewAugmenter(AugmentationConfig.paper(), Normalization.CIFAR10, threads)) {
        run(aug, set, k, m, 1.0); // warm-up: let the JIT compile the pixel loops
        long cpu0 = processCpuNanos();
        long t0 = System.nanoTime();
        long views = run(aug, set, k, m, seconds);
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (processCpuNanos() - cpu0) / 1e9;
        System.out.printf(
            "augment K=%d M=%d threads=%d views_per_s=%.0f views_per_cpu_s=%.0f%n",
            k, m, threads, views / wall, views / cpu);
      }
    }
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  /** Views made by back-to-back batches in about {@code seconds}. */
  private static long run(ViewAugmenter aug, ImageSet set, int k, int m, double seconds) {
    int[] idx = new int[m];
    long views = 0;
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    int epoch = 0;
    long now;
    float sink = 0;
    do {
      for (int n = 0; n < m; n++) {
        idx[n] = (epoch * m + n) % set.size();
      }
      float[] batch = aug.views(set, idx, k, 7L, epoch++);
      sink += batch[epoch % batch.length]; // keep the result alive
      views += (long) k * m;
      now = System.nanoTime();
    } while (now < end);
    if (Float.isNaN(sink)) {
      System.out.println("NaN in a view");
    }
    return views;
  }

  static ImageSet randomImages(int n, int height, int width, long seed) {
    byte[] px = new byte[n * 3 * height * width];
    new Random(seed).nextBytes(px);
    return new ImageSet("random", n, 3, height, width, px, null, 0);
  }
}

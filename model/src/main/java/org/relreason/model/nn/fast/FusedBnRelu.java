package org.relreason.model.nn.fast;

import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import sun.misc.Unsafe;

/**
 * One Conv-4 block's batch norm (training statistics), ReLU and 2×2 average pooling (or, for the
 * last block, global average pooling), forward and backward, in plain loops over the native NHWC
 * float buffers, split by images over the cores.
 *
 * <p>Why: on this kind of machine these steps are bound by memory traffic, not arithmetic, and the
 * libnd4j ops they replace made about ten trips through memory per block (statistics in two passes,
 * centring, normalise, ReLU, pooling, each backward op). Here the forward reads the conv output
 * twice (statistics; then normalise + ReLU + pool, writing only the pooled output) and the backward
 * reads it twice (the reductions; then the input gradient): the ReLU output is never stored, its
 * mask is recomputed from the conv output with the very same float expression, so the forward and
 * both backward passes agree on it exactly.
 *
 * <p>Numerics: per-channel sums in float over runs of at most 64 pixels, then in double; the batch
 * statistics are shifted by the first image's mean, so the one-pass variance does not cancel when
 * the mean is many standard deviations from zero (a ReLU-fed conv's output) and the normalisation
 * is centred first for the same reason. Formulas as {@link NativeBatchNorm#matrixBackward}: {@code
 * dgamma = Σ dy x̂}, {@code dbeta = Σ dy}, {@code dx = γ s (dy − dbeta/R − x̂ dgamma/R)} with
 * {@code s = 1/√(var+ε)} over {@code R = N H W} values per channel (Ioffe and Szegedy 2015, sec.
 * 3). The split over threads is by fixed image ranges merged in order, so results do not depend on
 * timing.
 *
 * <p>Float only: the double path keeps libnd4j's ops, which the Deeplearning4j equivalence tests
 * hold to 1e-10. The conv output passed to {@link #forward} is kept (so its native memory stays
 * allocated) and must not change until {@link #backward}. Not thread-safe; one instance per block
 * and batch size.
 */
final class FusedBnRelu {
  private static final Unsafe UNSAFE = unsafe();
  private static final int RUN = 64; // pixels summed in float before a double accumulation

  /** Helper threads besides the caller's (ND4J's thread count minus one). */
  private static final ExecutorService POOL =
      Executors.newFixedThreadPool(
          Math.max(1, threads() - 1),
          r -> {
            Thread t = new Thread(r, "relreason-fused-bn");
            t.setDaemon(true);
            return t;
          });

  private final int n;
  private final int h;
  private final int w;
  private final int c;
  private final boolean pool; // 2x2 average pooling; false = global average pooling
  private final int image; // H W C
  private final int outImage; // (H/2)(W/2)C or C
  private final double eps;
  private final int parts;

  private final double[] mean;
  private final double[] var;
  private final float[] meanF;
  private final float[] scale; // gamma / sqrt(var + eps)
  private final float[] shift; // beta
  private INDArray input; // the conv output of the last training forward: owns x's memory
  private long x; // its address

  FusedBnRelu(int n, int h, int w, int c, boolean pool, double eps) {
    this.n = n;
    this.h = h;
    this.w = w;
    this.c = c;
    this.pool = pool;
    this.eps = eps;
    this.image = h * w * c;
    this.outImage = pool ? (h / 2) * (w / 2) * c : c;
    this.parts = Math.max(1, Math.min(n, threads()));
    mean = new double[c];
    var = new double[c];
    meanF = new float[c];
    scale = new float[c];
    shift = new float[c];
  }

  /** The batch's per-channel mean of the last training forward. */
  double[] mean() {
    return mean;
  }

  /** The batch's per-channel biased variance of the last training forward. */
  double[] variance() {
    return var;
  }

  /**
   * Training forward: reads {@code convOut} ({@code [N, H, W, C]}) and writes the pooled output
   * ({@code [N, H/2, W/2, C]}) or the features ({@code [N, C]}) into {@code output}.
   */
  void forward(INDArray convOut, float[] gamma, float[] beta, INDArray output) {
    input = convOut;
    x = address(convOut, (long) n * image);
    long out = address(output, (long) n * outImage);
    statistics();
    for (int j = 0; j < c; j++) {
      scale[j] = (float) (gamma[j] / Math.sqrt(var[j] + eps));
      shift[j] = beta[j];
      meanF[j] = (float) mean[j];
    }
    parallel((from, to, sums) -> normaliseAndPool(from, to, out));
  }

  /** The ReLU output of the last training forward, into an {@code [N, H, W, C]} array. */
  void copyActivationTo(INDArray target) {
    long a = address(target, (long) n * image);
    long len = (long) n * image;
    for (long i = 0; i < len; i++) {
      int j = (int) (i % c);
      UNSAFE.putFloat(a + 4 * i, Math.max(pre(UNSAFE.getFloat(x + 4 * i), j), 0f));
    }
  }

  /**
   * Backward of the last training forward: {@code dOutput} is dL/d(output); {@code local}, when not
   * null, is added to dL/d(ReLU output) ({@code [N, H, W, C]}). Writes dL/d(conv output) into
   * {@code dConv} and the gamma and beta gradients into {@code gGamma, gBeta}.
   */
  void backward(
      INDArray dOutput,
      INDArray local,
      float[] gamma,
      double[] gGamma,
      double[] gBeta,
      INDArray dConv) {
    long dOut = address(dOutput, (long) n * outImage);
    long loc = local == null ? 0 : address(local, (long) n * image);
    long dx = address(dConv, (long) n * image);
    double[][] sums = parallel((from, to, s) -> reduceGradient(from, to, dOut, loc, s));
    double rows = (double) n * h * w;
    float[] p = new float[c];
    float[] u = new float[c];
    float[] v = new float[c];
    for (int j = 0; j < c; j++) {
      double sumDy = 0;
      double sumDyX = 0;
      for (double[] s : sums) {
        sumDy += s[j];
        sumDyX += s[c + j];
      }
      double s = 1.0 / Math.sqrt(var[j] + eps);
      gGamma[j] = sumDyX * s;
      gBeta[j] = sumDy;
      double pj = gamma[j] * s;
      p[j] = (float) pj;
      u[j] = (float) (pj * s * s * sumDyX / rows);
      v[j] = (float) (-pj * sumDy / rows);
    }
    parallel((from, to, s) -> inputGradient(from, to, dOut, loc, dx, p, u, v));
  }

  /** Pre-activation of one value of channel j: the same float expression everywhere. */
  private float pre(float value, int j) {
    return (value - meanF[j]) * scale[j] + shift[j];
  }

  private void statistics() {
    double[] first = new double[c];
    for (int i = 0; i < image; i++) {
      first[i % c] += UNSAFE.getFloat(x + 4L * i);
    }
    // Shifted by the first image's mean: sums of (x - s)^2 then cancel only as much as the batch
    // mean differs from it. A single pixel is not enough: a corner pixel sees the zero padding and
    // can sit tens of standard deviations from the mean of a channel fed by non-negative inputs.
    float[] s0 = new float[c];
    for (int j = 0; j < c; j++) {
      s0[j] = (float) (first[j] / (h * w));
    }
    double[][] sums = parallel((from, to, s) -> shiftedSums(from, to, s0, s));
    double rows = (double) n * h * w;
    for (int j = 0; j < c; j++) {
      double s1 = 0;
      double s2 = 0;
      for (double[] s : sums) {
        s1 += s[j];
        s2 += s[c + j];
      }
      double d = s1 / rows;
      mean[j] = s0[j] + d;
      var[j] = Math.max(0.0, s2 / rows - d * d);
    }
  }

  private void shiftedSums(int from, int to, float[] s0, double[] sums) {
    float[] a1 = new float[c];
    float[] a2 = new float[c];
    int pixels = h * w;
    for (int im = from; im < to; im++) {
      long base = x + 4L * im * image;
      for (int p0 = 0; p0 < pixels; p0 += RUN) {
        int p1 = Math.min(pixels, p0 + RUN);
        Arrays.fill(a1, 0f);
        Arrays.fill(a2, 0f);
        for (int p = p0; p < p1; p++) {
          long row = base + 4L * p * c;
          for (int j = 0; j < c; j++) {
            float d = UNSAFE.getFloat(row + 4L * j) - s0[j];
            a1[j] += d;
            a2[j] += d * d;
          }
        }
        for (int j = 0; j < c; j++) {
          sums[j] += a1[j];
          sums[c + j] += a2[j];
        }
      }
    }
  }

  private void normaliseAndPool(int from, int to, long out) {
    if (!pool) {
      float[] acc = new float[c];
      double[] total = new double[c];
      int pixels = h * w;
      for (int im = from; im < to; im++) {
        long base = x + 4L * im * image;
        Arrays.fill(total, 0);
        for (int p0 = 0; p0 < pixels; p0 += RUN) {
          Arrays.fill(acc, 0f);
          for (int p = p0; p < Math.min(pixels, p0 + RUN); p++) {
            long row = base + 4L * p * c;
            for (int j = 0; j < c; j++) {
              acc[j] += Math.max(pre(UNSAFE.getFloat(row + 4L * j), j), 0f);
            }
          }
          for (int j = 0; j < c; j++) {
            total[j] += acc[j];
          }
        }
        long o = out + 4L * im * c;
        for (int j = 0; j < c; j++) {
          UNSAFE.putFloat(o + 4L * j, (float) (total[j] / pixels));
        }
      }
      return;
    }
    int ph = h / 2;
    int pw = w / 2;
    long rowBytes = 4L * w * c;
    long colBytes = 4L * c;
    for (int im = from; im < to; im++) {
      long base = x + 4L * im * image;
      long o = out + 4L * im * outImage;
      for (int y = 0; y < ph; y++) {
        for (int xq = 0; xq < pw; xq++) {
          long i = base + 2 * y * rowBytes + 2 * xq * colBytes;
          for (int j = 0; j < c; j++) {
            long e = i + 4L * j;
            float s =
                Math.max(pre(UNSAFE.getFloat(e), j), 0f)
                    + Math.max(pre(UNSAFE.getFloat(e + colBytes), j), 0f)
                    + Math.max(pre(UNSAFE.getFloat(e + rowBytes), j), 0f)
                    + Math.max(pre(UNSAFE.getFloat(e + rowBytes + colBytes), j), 0f);
            UNSAFE.putFloat(o, 0.25f * s);
            o += 4;
          }
        }
      }
    }
  }

  /**
   * Address of the first channel of dL/d(output) for pixel (y, x) of image im, or 0 where the floor
   * pooling dropped the pixel. Global pooling: the image's row of {@code dOut}.
   */
  private long outGradientRow(long dOut, int im, int y, int xx) {
    if (!pool) {
      return dOut + 4L * im * c;
    }
    int pw = w / 2;
    if ((y >> 1) >= h / 2 || (xx >> 1) >= pw) {
      return 0;
    }
    return dOut + 4L * ((long) im * outImage + ((long) (y >> 1) * pw + (xx >> 1)) * c);
  }

  /**
   * {@code pre > 0 ? g : 0} without a branch: the ReLU mask is a coin flip per value, and the
   * branch C2 emits for the conditional mispredicted half the time (the backward ran 7x slower).
   * {@code pre + 0f} turns -0 into +0, so the mask is kept exactly where {@code pre > 0}.
   */
  private static float masked(float g, float pre) {
    int bits = Float.floatToRawIntBits(pre + 0f);
    return Float.intBitsToFloat(Float.floatToRawIntBits(g) & (-bits >> 31));
  }

  /** Factor from dL/d(output) to dL/d(ReLU output): 1/4 for 2x2 pooling, 1/(H W) for global. */
  private float outGradientScale() {
    return pool ? 0.25f : 1f / (h * w);
  }

  private void reduceGradient(int from, int to, long dOut, long loc, double[] sums) {
    float[] a1 = new float[c];
    float[] a2 = new float[c];
    float[] gIn = new float[c];
    float k = outGradientScale();
    for (int im = from; im < to; im++) {
      for (int y = 0; y < h; y++) {
        for (int x0 = 0; x0 < w; x0 += RUN) {
          Arrays.fill(a1, 0f);
          Arrays.fill(a2, 0f);
          for (int xx = x0; xx < Math.min(w, x0 + RUN); xx++) {
            long offset = 4L * (((long) im * h + y) * w + xx) * c;
            incomingGradient(outGradientRow(dOut, im, y, xx), k, loc == 0 ? 0 : loc + offset, gIn);
            long row = x + offset;
            for (int j = 0; j < c; j++) {
              float xv = UNSAFE.getFloat(row + 4L * j);
              float g = masked(gIn[j], pre(xv, j));
              a1[j] += g;
              a2[j] += g * (xv - meanF[j]);
            }
          }
          for (int j = 0; j < c; j++) {
            sums[j] += a1[j];
            sums[c + j] += a2[j];
          }
        }
      }
    }
  }

  private void inputGradient(
      int from, int to, long dOut, long loc, long dx, float[] p, float[] u, float[] v) {
    float[] gIn = new float[c];
    float k = outGradientScale();
    for (int im = from; im < to; im++) {
      for (int y = 0; y < h; y++) {
        for (int xx = 0; xx < w; xx++) {
          long offset = 4L * (((long) im * h + y) * w + xx) * c;
          incomingGradient(outGradientRow(dOut, im, y, xx), k, loc == 0 ? 0 : loc + offset, gIn);
          long row = x + offset;
          long out = dx + offset;
          for (int j = 0; j < c; j++) {
            float xv = UNSAFE.getFloat(row + 4L * j);
            float g = masked(gIn[j], pre(xv, j));
            // dx = p dy - u (x - mean) - p sumDy / R, centred as the forward
            UNSAFE.putFloat(out + 4L * j, g * p[j] - (xv - meanF[j]) * u[j] + v[j]);
          }
        }
      }
    }
  }

  /** dL/d(ReLU output) of one pixel's channels before the mask: pooled (and local) gradient. */
  private void incomingGradient(long outRow, float k, long localRow, float[] g) {
    if (outRow == 0) {
      Arrays.fill(g, 0f);
    } else {
      for (int j = 0; j < c; j++) {
        g[j] = k * UNSAFE.getFloat(outRow + 4L * j);
      }
    }
    if (localRow != 0) {
      for (int j = 0; j < c; j++) {
        g[j] += UNSAFE.getFloat(localRow + 4L * j);
      }
    }
  }

  /** Work on the images {@code [from, to)}, adding per-part sums (2c values) into {@code sums}. */
  @FunctionalInterface
  private interface Part {
    void run(int from, int to, double[] sums);
  }

  /** Runs {@code part} on fixed image ranges, the first on the caller's thread; sums in order. */
  private double[][] parallel(Part part) {
    double[][] sums = new double[parts][2 * c];
    List<Future<?>> others = new ArrayList<>();
    for (int k = 1; k < parts; k++) {
      int kk = k;
      others.add(POOL.submit(() -> part.run(bound(kk), bound(kk + 1), sums[kk])));
    }
    part.run(bound(0), bound(1), sums[0]);
    for (Future<?> f : others) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted in the fused batch norm", e);
      } catch (ExecutionException e) {
        throw new IllegalStateException("fused batch norm failed", e.getCause());
      }
    }
    return sums;
  }

  private int bound(int k) {
    return (int) ((long) n * k / parts);
  }

  /** ND4J's thread count (OMP_NUM_THREADS or its default), at most the cores. */
  private static int threads() {
    return Math.max(
        1,
        Math.min(
            Runtime.getRuntime().availableProcessors(),
            org.nd4j.linalg.factory.Nd4j.getEnvironment().maxThreads()));
  }

  /** Native address of a contiguous C-order float array of {@code length} values. */
  private static long address(INDArray a, long length) {
    if (a.dataType() != DataType.FLOAT
        || a.length() != length
        || a.ordering() != 'c'
        || a.isView() && a.elementWiseStride() != 1) {
      throw new IllegalArgumentException(
          "expected a contiguous C-order float array of "
              + length
              + " values, got "
              + a.dataType()
              + " "
              + Arrays.toString(a.shape())
              + " order "
              + a.ordering());
    }
    // a view's buffer is itself offset in ND4J 1.0.0-M2.1: its address already points at the
    // buffer's offset, so only the view's offset beyond it is added (see SmallVectors)
    return a.data().addressPointer().address() + 4L * (a.offset() - a.data().offset());
  }

  private static Unsafe unsafe() {
    try {
      Field f = Unsafe.class.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      return (Unsafe) f.get(null);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }
}

package org.relreason.model.nn.fast;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;

/**
 * Times a backbone's training forward and backward (the relation head is not included), fast path
 * ({@link org.relreason.model.nn.Backbones#buildFast}) against the Deeplearning4j graph, back to
 * back in one JVM, and prints one line per setting plus an op-level profile of the fast path:
 *
 * <pre>
 * bench backbone=conv4 impl=fast K=4 M=64 layout=NCHW_OIHW threads=2 fwd_s=... bwd_s=... views_per_s=...
 * </pre>
 *
 * <p>Options (all optional): {@code --backbone conv4 --width 1 --k 2,4,8,16 --m 64 --threads 2
 * --reps 7 --impl fast,dl4j --layout NCHW_OIHW[,NHWC_HWIO...] --profile-k 4 --size 32}; {@code
 * --layout} applies to Conv-4 only (the other backbones have one layout, printed as {@code -}). Set
 * {@code OMP_NUM_THREADS} to the same thread count: OpenMP spin-waits, and more threads than free
 * cores collapses throughput.
 */
public final class BackboneBench {
  private static final int PROFILE_STEPS = 5;

  private BackboneBench() {}

  public static void main(String[] args) {
    BackboneKind kind = BackboneKind.CONV4;
    double width = 1.0;
    int[] ks = {2, 4, 8, 16};
    int m = 64;
    int threads = 2;
    int reps = 7;
    int size = 32;
    int profileK = 4;
    List<String> impls = List.of("fast", "dl4j");
    List<FastConv4Backbone.Layout> layouts = List.of(FastConv4Backbone.Layout.DEFAULT);
    for (int i = 0; i < args.length; i += 2) {
      String v = args[i + 1];
      switch (args[i]) {
        case "--backbone" -> kind = BackboneKind.parse(v);
        case "--width" -> width = Double.parseDouble(v);
        case "--k" -> ks = Arrays.stream(v.split(",")).mapToInt(Integer::parseInt).toArray();
        case "--m" -> m = Integer.parseInt(v);
        case "--threads" -> threads = Integer.parseInt(v);
        case "--reps" -> reps = Integer.parseInt(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--profile-k" -> profileK = Integer.parseInt(v);
        case "--impl" -> impls = List.of(v.split(","));
        case "--layout" ->
            layouts = Arrays.stream(v.split(",")).map(FastConv4Backbone.Layout::valueOf).toList();
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    Nd4j.getEnvironment().setMaxThreads(threads);
    Nd4j.getEnvironment().setMaxMasterThreads(threads);
    System.out.printf(
        Locale.ROOT,
        "# backend=%s OMP_NUM_THREADS=%s maxThreads=%d%n",
        Nd4j.getBackend().getClass().getSimpleName(),
        System.getenv("OMP_NUM_THREADS"),
        threads);
    BackboneSpec spec = new BackboneSpec(kind, width, 3, size, size);
    for (int k : ks) {
      // Every setting of this K is timed round-robin, one step each per round, so that the load
      // of other processes on the shared cores hits all of them alike.
      List<Setting> settings = new ArrayList<>();
      for (String impl : impls) {
        for (FastConv4Backbone.Layout layout :
            impl.startsWith("fast") && kind == BackboneKind.CONV4
                ? layouts
                : List.of(layouts.get(0))) {
          settings.add(new Setting(impl, layout, build(impl, spec, layout), k * m, spec));
        }
      }
      for (int r = 0; r < reps + 2; r++) {
        for (Setting st : settings) {
          st.step(r >= 2);
        }
      }
      for (Setting st : settings) {
        double f = median(st.fwd);
        double b = median(st.bwd);
        double best = Double.MAX_VALUE;
        for (int i = 0; i < st.fwd.size(); i++) {
          best = Math.min(best, st.fwd.get(i) + st.bwd.get(i));
        }
        System.out.printf(
            Locale.ROOT,
            "bench backbone=%s impl=%s K=%d M=%d layout=%s threads=%d fwd_s=%.4f bwd_s=%.4f"
                + " views_per_s=%.0f min_step_s=%.4f%n",
            kind.id(),
            st.impl,
            k,
            m,
            !st.impl.startsWith("fast") ? "dl4j" : kind == BackboneKind.CONV4 ? st.layout : "-",
            threads,
            f,
            b,
            k * m / (f + b),
            best);
      }
      if (k == profileK) {
        for (Setting st : settings) {
          if (st.impl.startsWith("fast")) {
            OpTimes.enable(true);
            for (int r = 0; r < PROFILE_STEPS; r++) {
              st.step(false);
            }
            OpTimes.enable(false);
            System.out.printf(
                Locale.ROOT,
                "# op profile, %s %s %s K=%d, %d steps:%n",
                kind.id(),
                st.impl,
                kind == BackboneKind.CONV4 ? st.layout : "-",
                k,
                PROFILE_STEPS);
            System.out.print(OpTimes.report());
          }
        }
      }
    }
  }

  /** One backbone under test with its inputs and its timings. */
  private static final class Setting {
    final String impl;
    final FastConv4Backbone.Layout layout;
    final Backbone backbone;
    final INDArray x;
    final INDArray g;
    final List<Double> fwd = new ArrayList<>();
    final List<Double> bwd = new ArrayList<>();

    Setting(String impl, FastConv4Backbone.Layout layout, Backbone b, int n, BackboneSpec spec) {
      this.impl = impl;
      this.layout = layout;
      this.backbone = b;
      Nd4j.getRandom().setSeed(5);
      x = Nd4j.randn(DataType.FLOAT, n, spec.channels(), spec.height(), spec.widthPx());
      g = Nd4j.randn(DataType.FLOAT, n, b.featureSize()).divi(n);
    }

    void step(boolean record) {
      long t0 = System.nanoTime();
      backbone.forward(x, true);
      long t1 = System.nanoTime();
      backbone.backward(g);
      long t2 = System.nanoTime();
      if (record) {
        fwd.add((t1 - t0) / 1e9);
        bwd.add((t2 - t1) / 1e9);
      }
    }
  }

  private static Backbone build(String impl, BackboneSpec spec, FastConv4Backbone.Layout layout) {
    if (impl.equals("dl4j")) {
      return Backbones.build(spec, 1, DataType.FLOAT);
    }
    if (spec.kind() != BackboneKind.CONV4) {
      if (!impl.equals("fast")) {
        throw new IllegalArgumentException(impl + " is a Conv-4 variant; use fast or dl4j");
      }
      return Backbones.buildFast(spec, 1, DataType.FLOAT);
    }
    // "fast-nativebn": libnd4j's batchnorm_bp instead of the row-reduction one (NHWC layouts only)
    boolean matrixBn = layout.name().startsWith("NHWC") && !impl.equals("fast-nativebn");
    FastConv4Backbone b =
        new FastConv4Backbone(
            spec.channels(),
            spec.height(),
            spec.widthPx(),
            spec.width(),
            DataType.FLOAT,
            layout,
            matrixBn);
    b.params().assign(Backbones.build(spec, 1, DataType.FLOAT).params());
    return b;
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(null);
    int n = s.size();
    return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }
}

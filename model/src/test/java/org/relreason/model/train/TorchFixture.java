package org.relreason.model.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.io.SafeTensors;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.GraphBackbone;
import org.relreason.model.nn.HeadKind;
import org.relreason.model.nn.MlpHead;
import org.relreason.model.nn.PairPlan;
import org.relreason.model.nn.RelationHead;

/**
 * A step-level fixture written by {@code bench/parity_fixture.py} (PyTorch, float64): initial
 * weights, views, the pair plan, logits, loss, gradients and the weights after 1 and 3 Adam steps
 * of one backbone and aggregation. It builds the relreason model the fixture describes (fast native
 * path or Deeplearning4j graph path, in double), loads the initial weights into it by name, and
 * turns relreason's flat vectors back into named tensors to compare.
 *
 * <p>Names are those of relreason's Deeplearning4j graphs; the backbone part of the flat vector has
 * the graph's layout on both paths, so a graph built only for its layout ({@link #layout}) decodes
 * and encodes it. Batch-norm running variance is stored by relreason as {@code log10} of the
 * standard deviation: the fixture's {@code _var} is converted on the way in and out.
 */
final class TorchFixture {
  private static final String LOG_STD = "_log10stdev";

  final SafeTensors file;
  final String name;
  final BackboneSpec spec;
  final Aggregation aggregation;
  final int m;
  final int k;

  private TorchFixture(SafeTensors file, String name) {
    this.file = file;
    this.name = name;
    Map<String, String> meta = file.metadata();
    this.spec = new BackboneSpec(BackboneKind.parse(meta.get("backbone")), 1.0, 3, 32, 32);
    this.aggregation = Aggregation.parse(meta.get("aggregation"));
    this.m = Integer.parseInt(meta.get("m"));
    this.k = Integer.parseInt(meta.get("k"));
  }

  static TorchFixture load(Path path) throws IOException {
    return new TorchFixture(SafeTensors.read(path), path.getFileName().toString());
  }

  /** The model of the fixture, in double, on the fast native path or the Deeplearning4j path. */
  RelationalModel model(boolean fast, FocalLoss loss) {
    Backbone backbone =
        fast
            ? Backbones.buildFast(spec, 1, DataType.DOUBLE)
            : Backbones.build(spec, 1, DataType.DOUBLE);
    RelationalModel model =
        new RelationalModel(
            backbone,
            HeadKind.MLP,
            aggregation,
            loss,
            k,
            1,
            DataType.DOUBLE,
            fast ? MlpHead.Impl.NATIVE : MlpHead.Impl.DL4J);
    model.setParams(toFloat(encode(model, "init/")));
    return model;
  }

  /** The views {@code [K*M, 3, 32, 32]} as a double array. */
  INDArray views() {
    SafeTensors.Tensor t = file.get("views");
    return Nd4j.createFromArray(t.values()).reshape('c', t.shape());
  }

  /** The head of a model. */
  static RelationHead head(RelationalModel model) {
    return ((MlpPairScorer) model.head()).head();
  }

  private GraphBackbone layout() {
    return (GraphBackbone) Backbones.build(spec, 1, DataType.DOUBLE);
  }

  private RelationHead headLayout() {
    int d = aggregation.outputSize(64);
    return new RelationHead(d, 1, DataType.DOUBLE, MlpHead.Impl.DL4J);
  }

  /**
   * The flat vector {@code [backbone | head]} of the fixture's tensors under {@code prefix} (e.g.
   * {@code "init/"}); every tensor's shape is checked against the model's parameter.
   */
  double[] encode(RelationalModel model, String prefix) {
    GraphBackbone g = layout();
    fill(g.graph().paramTable(), prefix, "");
    RelationHead h = headLayout();
    fill(h.paramTable(), prefix, "head_");
    double[] b = g.params().toDoubleVector();
    double[] hv = h.params().toDoubleVector();
    double[] out = Arrays.copyOf(b, b.length + hv.length);
    System.arraycopy(hv, 0, out, b.length, hv.length);
    if (out.length != model.numParams()) {
      throw new IllegalStateException(out.length + " values for a model of " + model.numParams());
    }
    return out;
  }

  private void fill(Map<String, INDArray> table, String prefix, String namePrefix) {
    for (Map.Entry<String, INDArray> e : table.entrySet()) {
      String key = namePrefix + e.getKey();
      INDArray view = e.getValue();
      boolean logStd = key.endsWith(LOG_STD);
      String field =
          prefix + (logStd ? key.substring(0, key.length() - LOG_STD.length()) + "_var" : key);
      SafeTensors.Tensor t = file.get(field);
      long[] want = view.shape();
      if (!Arrays.equals(squeeze(t.shape()), squeeze(want))) {
        throw new IllegalArgumentException(
            name
                + ": field '"
                + field
                + "' has shape "
                + Arrays.toString(t.shape())
                + ", the model's parameter '"
                + key
                + "' has "
                + Arrays.toString(want));
      }
      double[] v = t.values().clone();
      if (logStd) {
        for (int i = 0; i < v.length; i++) {
          v[i] = 0.5 * Math.log10(v[i]);
        }
      }
      view.assign(Nd4j.createFromArray(v).reshape('c', want));
    }
  }

  /**
   * The named tensors of a flat vector {@code [backbone | head]} (running log-std as {@code _var}),
   * each in row-major order of the fixture's shape.
   */
  Map<String, double[]> decode(double[] flat) {
    Map<String, double[]> out = new LinkedHashMap<>();
    GraphBackbone g = layout();
    int nb = (int) g.numParams();
    g.params()
        .assign(Nd4j.createFromArray(Arrays.copyOfRange(flat, 0, nb)).reshape(g.params().shape()));
    read(g.graph().paramTable(), "", out);
    RelationHead h = headLayout();
    h.params()
        .assign(
            Nd4j.createFromArray(Arrays.copyOfRange(flat, nb, flat.length))
                .reshape(h.params().shape()));
    read(h.paramTable(), "head_", out);
    return out;
  }

  private static void read(
      Map<String, INDArray> table, String namePrefix, Map<String, double[]> out) {
    for (Map.Entry<String, INDArray> e : table.entrySet()) {
      String key = namePrefix + e.getKey();
      double[] v = e.getValue().dup('c').reshape(e.getValue().length()).toDoubleVector();
      if (key.endsWith(LOG_STD)) {
        for (int i = 0; i < v.length; i++) {
          v[i] = Math.pow(10, 2 * v[i]);
        }
        key = key.substring(0, key.length() - LOG_STD.length()) + "_var";
      }
      out.put(key, v);
    }
  }

  /** Checks relreason's PairPlan against the fixture's pairs and targets, row by row. */
  void checkPlan(PairPlan plan, List<String> failures) {
    int[] left = file.get("pair_left").ints();
    int[] right = file.get("pair_right").ints();
    double[] target = file.get("pair_target").values();
    if (plan.pairs() != left.length) {
      failures.add(name + ": " + plan.pairs() + " pairs, PyTorch " + left.length);
      return;
    }
    for (int p = 0; p < left.length; p++) {
      if (plan.leftRow(p) != left[p]
          || plan.rightRow(p) != right[p]
          || plan.target(p) != target[p]) {
        failures.add(
            String.format(
                "%s: pair %d is (%d, %d, target %.0f), PyTorch (%d, %d, %.0f)",
                name,
                p,
                plan.leftRow(p),
                plan.rightRow(p),
                plan.target(p),
                left[p],
                right[p],
                target[p]));
        return;
      }
    }
  }

  /**
   * Compares two tensors: every element within {@code rtol·|want| + atol}; on a mismatch adds one
   * line naming the tensor, the worst element's index (in the fixture's shape) and both values.
   */
  static void compare(
      String what,
      long[] shape,
      double[] got,
      double[] want,
      double rtol,
      double atol,
      List<String> failures) {
    if (got.length != want.length) {
      failures.add(what + ": " + got.length + " values, PyTorch " + want.length);
      return;
    }
    int worst = -1;
    double worstExcess = 0;
    for (int i = 0; i < got.length; i++) {
      double excess = Math.abs(got[i] - want[i]) - (rtol * Math.abs(want[i]) + atol);
      if (!(excess <= worstExcess) || Double.isNaN(got[i])) {
        worstExcess = Double.isNaN(got[i]) ? Double.POSITIVE_INFINITY : excess;
        worst = i;
      }
    }
    if (worst >= 0) {
      failures.add(
          String.format(
              "%s: worst element %s: relreason %.9g, PyTorch %.9g (|diff| %.3g > %.1g*|PyTorch| + %.3g)",
              what,
              index(shape, worst),
              got[worst],
              want[worst],
              Math.abs(got[worst] - want[worst]),
              rtol,
              atol));
    }
  }

  /** The tensor's scale for an absolute floor: its largest magnitude, at least 1e-8. */
  static double scale(double[] want) {
    // 1e-8: a gradient whose every element is below 1e-12 is zero (e.g. the bias before a
    // batch-norm, analytically 0, numerically ±1e-17 on both sides)
    double max = 1e-8;
    for (double v : want) {
      max = Math.max(max, Math.abs(v));
    }
    return max;
  }

  private static String index(long[] shape, int flat) {
    List<Long> idx = new ArrayList<>();
    long rest = flat;
    for (int d = shape.length - 1; d >= 0; d--) {
      idx.add(0, rest % shape[d]);
      rest /= shape[d];
    }
    return idx + " (flat " + flat + ")";
  }

  private static long[] squeeze(long[] shape) {
    return Arrays.stream(shape).filter(d -> d != 1).toArray();
  }

  static float[] toFloat(double[] v) {
    float[] f = new float[v.length];
    for (int i = 0; i < v.length; i++) {
      f[i] = (float) v[i];
    }
    return f;
  }

  static double[] toDouble(float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    return d;
  }
}

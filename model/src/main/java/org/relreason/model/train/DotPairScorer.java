package org.relreason.model.train;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.nn.MlpHead;
import org.relreason.model.nn.PairPlan;

/**
 * The two ablations of the relation head: the logit of a pair is the dot product of its two
 * features ({@code e_l · e_r}), either of the backbone features themselves ({@code encoder ==
 * null}) or of an encoder's outputs (Linear → BN → LeakyReLU → Linear applied to every view before
 * pairing). The products are computed in double on the CPU: a step has at most a few thousand pairs
 * of 64-value rows.
 */
public final class DotPairScorer implements PairScorer {
  /** Output size of the encoder (as SimCLR's projection). */
  public static final int ENCODED = 64;

  private final MlpHead encoder;
  private final DataType dtype;
  private double[][] lastEncoded;

  /**
   * @param encoder the encoder, or null for the plain dot product
   * @param dtype the data type of the features
   */
  public DotPairScorer(MlpHead encoder, DataType dtype) {
    this.encoder = encoder;
    this.dtype = dtype;
  }

  @Override
  public INDArray forward(INDArray features, PairPlan plan, boolean training, PhaseTimer timer) {
    INDArray e = encoder == null ? features : encoder.forward(features, training);
    double[][] rows = e.toDoubleMatrix();
    lastEncoded = rows;
    double[] logits = new double[plan.pairs()];
    for (int p = 0; p < logits.length; p++) {
      logits[p] = dot(rows[plan.leftRow(p)], rows[plan.rightRow(p)]);
    }
    timer.stop(Phase.HEAD);
    return Nd4j.createFromArray(logits).castTo(dtype).reshape(logits.length, 1);
  }

  @Override
  public INDArray backward(INDArray logitGradient, PairPlan plan, PhaseTimer timer) {
    double[] g = logitGradient.reshape(logitGradient.length()).toDoubleVector();
    double[][] rows = lastEncoded;
    double[][] d = new double[rows.length][rows[0].length];
    for (int p = 0; p < g.length; p++) {
      double[] l = rows[plan.leftRow(p)];
      double[] r = rows[plan.rightRow(p)];
      double[] dl = d[plan.leftRow(p)];
      double[] dr = d[plan.rightRow(p)];
      for (int j = 0; j < l.length; j++) {
        dl[j] += g[p] * r[j];
        dr[j] += g[p] * l[j];
      }
    }
    INDArray dE = Nd4j.createFromArray(d).castTo(dtype);
    INDArray dFeatures = encoder == null ? dE : encoder.backward(dE);
    timer.stop(Phase.HEAD);
    return dFeatures;
  }

  private static double dot(double[] a, double[] b) {
    double s = 0;
    for (int j = 0; j < a.length; j++) {
      s += a[j] * b[j];
    }
    return s;
  }

  @Override
  public long numParams() {
    return encoder == null ? 0 : encoder.numParams();
  }

  @Override
  public INDArray params() {
    return encoder == null ? Nd4j.empty(dtype) : encoder.params();
  }

  @Override
  public INDArray gradients() {
    return encoder == null ? Nd4j.empty(dtype) : encoder.gradients();
  }

  @Override
  public void bind(INDArray paramsView) {
    if (encoder != null) {
      encoder.bind(paramsView);
    }
  }

  @Override
  public boolean[] statisticsMask() {
    return encoder == null ? new boolean[0] : encoder.statisticsMask();
  }
}

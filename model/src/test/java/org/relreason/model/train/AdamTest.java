package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class AdamTest {

  @Test
  void matchesAlgorithmOneOfThePaperAndLeavesStatisticsToRawDeltas() {
    boolean[] mask = {false, false, true};
    Adam adam = new Adam(3, 1e-3, mask);
    float[] p = {1f, -2f, 5f};
    double[] ref = {1, -2};
    double[] m = new double[2];
    double[] v = new double[2];
    float[][] grads = {{0.5f, -1f, 0.25f}, {0.1f, 3f, -0.5f}, {-0.2f, 0f, 1f}};
    double stat = 5;
    for (int t = 1; t <= grads.length; t++) {
      float[] g = grads[t - 1];
      adam.step(p, g);
      for (int i = 0; i < 2; i++) {
        m[i] = 0.9 * m[i] + 0.1 * g[i];
        v[i] = 0.999 * v[i] + 0.001 * g[i] * g[i];
        double mh = m[i] / (1 - Math.pow(0.9, t));
        double vh = v[i] / (1 - Math.pow(0.999, t));
        ref[i] -= 1e-3 * mh / (Math.sqrt(vh) + 1e-8);
      }
      stat -= g[2];
      assertThat((double) p[0]).isCloseTo(ref[0], Offset.offset(1e-6));
      assertThat((double) p[1]).isCloseTo(ref[1], Offset.offset(1e-6));
      assertThat((double) p[2]).isCloseTo(stat, Offset.offset(1e-6));
    }
    // the first step moves every optimised weight by lr (bias-corrected m/sqrt(v) = sign(g))
    assertThat(adam.steps()).isEqualTo(3);
  }

  @Test
  void stateRestoresToTheSameTrajectory() {
    boolean[] mask = new boolean[4];
    Adam a = new Adam(4, 1e-2, mask);
    float[] p = {1, 2, 3, 4};
    float[] g = {0.3f, -0.1f, 0.2f, 0.05f};
    a.step(p, g);
    Adam b = new Adam(4, 1e-2, mask);
    b.restore(a.state());
    float[] q = p.clone();
    a.step(p, g);
    b.step(q, g);
    assertThat(q).containsExactly(p);
  }

  /**
   * |g| above 5.8e20 overflowed the float second moment to infinity, after which m / sqrt(v) is 0
   * and the parameter never moves again; the state must stay finite and the parameter keep moving.
   */
  @Test
  void hugeFiniteGradientLeavesTheStateFiniteAndTheParameterMoving() {
    Adam adam = new Adam(2, 1e-3, new boolean[2]);
    float[] p = {1f, 1f};
    adam.step(p, new float[] {1e21f, -3e38f});
    Adam.State s = adam.state();
    for (float[] values : new float[][] {p, s.m(), s.v()}) {
      for (float x : values) {
        org.assertj.core.api.Assertions.assertThat(Float.isFinite(x)).as("finite: " + x).isTrue();
      }
    }
    float before = p[0];
    adam.step(p, new float[] {1f, 1f});
    org.assertj.core.api.Assertions.assertThat(p[0]).as("still moving").isNotEqualTo(before);
  }

  @Test
  void nonFiniteGradientIsRefusedBeforeAnythingChanges() {
    Adam adam = new Adam(2, 1e-3, new boolean[2]);
    float[] p = {1f, 1f};
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> adam.step(p, new float[] {0.5f, Float.NaN}))
        .hasMessageContaining("gradient[1] is NaN");
    org.assertj.core.api.Assertions.assertThat(p).containsExactly(1f, 1f);
    org.assertj.core.api.Assertions.assertThat(adam.steps()).isZero();
    org.assertj.core.api.Assertions.assertThat(adam.state().m()).containsExactly(0f, 0f);
  }

  /** The probes' double-precision Adam: Algorithm 1 in double, to the last bit. */
  @Test
  void doublePrecisionIsAlgorithmOneInDoubleExactly() {
    Adam adam = Adam.inDouble(3, 1e-2, 0.8, 0.99, 1e-6);
    double[] p = {0.3, -1.7, 2.5};
    double[] ref = p.clone();
    double[] m = new double[3];
    double[] v = new double[3];
    double[][] grads = {{0.5, -1, 1e-9}, {0.1, 3, -0.5}, {-0.2, 0, 1}};
    for (int t = 1; t <= grads.length; t++) {
      double[] g = grads[t - 1];
      adam.step(p, g);
      double c1 = 1 - Math.pow(0.8, t);
      double c2 = 1 - Math.pow(0.99, t);
      for (int i = 0; i < 3; i++) {
        m[i] = 0.8 * m[i] + (1 - 0.8) * g[i];
        v[i] = 0.99 * v[i] + (1 - 0.99) * g[i] * g[i];
        ref[i] -= 1e-2 * (m[i] / c1) / (Math.sqrt(v[i] / c2) + 1e-6);
      }
      assertThat(p).as("step " + t).containsExactly(ref);
    }
  }

  @Test
  void aVectorOfTheOtherPrecisionIsRefused() {
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> Adam.inDouble(1, 1e-3, 0.9, 0.999, 1e-8).step(new float[1], new float[1]))
        .isInstanceOf(IllegalStateException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new Adam(1, 1e-3, new boolean[1]).step(new double[1], new double[1]))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void aLargeVectorUpdatedInParallelChunksEqualsTheSequentialLoopBitForBit() {
    int n =
        ParallelChunks.PARALLEL_FROM + 70_001; // above the threshold, not a multiple of the chunk
    int half = n / 2; // each half alone is below it: the sequential loop
    int headFrom = n - 100_000;
    java.util.Random r = new java.util.Random(9);
    boolean[] mask = new boolean[n];
    float[] params = new float[n];
    for (int i = 0; i < n; i++) {
      mask[i] = i % 97 == 0;
      params[i] = (float) r.nextGaussian();
    }
    Adam whole = Adam.forFineTuning(n, headFrom, mask, 1e-3, 1e-4, 1e-5);
    Adam first =
        Adam.forFineTuning(
            half, half, java.util.Arrays.copyOfRange(mask, 0, half), 1e-3, 1e-4, 1e-5);
    Adam second =
        Adam.forFineTuning(
            n - half,
            headFrom - half,
            java.util.Arrays.copyOfRange(mask, half, n),
            1e-3,
            1e-4,
            1e-5);
    float[] a = params.clone();
    float[] b1 = java.util.Arrays.copyOfRange(params, 0, half);
    float[] b2 = java.util.Arrays.copyOfRange(params, half, n);
    for (int step = 0; step < 3; step++) {
      float[] g = new float[n];
      for (int i = 0; i < n; i++) {
        g[i] = (float) (r.nextGaussian() * 1e-2);
      }
      whole.step(a, g);
      first.step(b1, java.util.Arrays.copyOfRange(g, 0, half));
      second.step(b2, java.util.Arrays.copyOfRange(g, half, n));
    }
    float[] b = new float[n];
    System.arraycopy(b1, 0, b, 0, half);
    System.arraycopy(b2, 0, b, half, n - half);
    assertThat(a).isEqualTo(b);
    assertThat(a).isNotEqualTo(params);
    float[] m = new float[n];
    System.arraycopy(first.state().m(), 0, m, 0, half);
    System.arraycopy(second.state().m(), 0, m, half, n - half);
    assertThat(whole.state().m()).isEqualTo(m);
  }

  @Test
  void aNonFiniteGradientInALargeVectorIsReportedAtItsFirstIndex() {
    int n = ParallelChunks.PARALLEL_FROM * 2;
    Adam adam = new Adam(n, 1e-3, new boolean[n]);
    float[] params = new float[n];
    float[] g = new float[n];
    g[n - 3] = Float.NaN; // in the last chunk
    g[700_000] = Float.POSITIVE_INFINITY; // the first one, in an earlier chunk
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> adam.step(params, g))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("gradient[700000] is Infinity");
    assertThat(adam.steps()).isZero();
  }
}

package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Checks the slice-based pairing against a naive row-by-row construction. */
class PairAggregatorTest {

  @ParameterizedTest
  @EnumSource(Aggregation.class)
  void forwardAndBackwardMatchNaiveGather(Aggregation agg) {
    int m = 5;
    int k = 4;
    int d = 3;
    Nd4j.getRandom().setSeed(7);
    INDArray z = Nd4j.rand(DataType.DOUBLE, k * m, d);
    PairPlan plan = PairPlan.of(m, k);
    PairAggregator a = new PairAggregator(agg);
    INDArray x = a.forward(z, plan);
    int width = agg.outputSize(d);
    assertThat(x.shape()).containsExactly(plan.pairs(), width);
    double[][] zz = z.toDoubleMatrix();
    for (int p = 0; p < plan.pairs(); p++) {
      double[] l = zz[plan.leftRow(p)];
      double[] r = zz[plan.rightRow(p)];
      for (int c = 0; c < width; c++) {
        double expected =
            switch (agg) {
              case CAT -> c < d ? l[c] : r[c - d];
              case SUM -> l[c] + r[c];
              case MEAN -> (l[c] + r[c]) / 2;
              case MAX -> Math.max(l[c], r[c]);
            };
        assertThat(x.getDouble(p, c)).isEqualTo(expected);
      }
    }
    INDArray g = Nd4j.rand(DataType.DOUBLE, plan.pairs(), width);
    INDArray dz = a.backward(g, plan);
    double[][] naive = new double[k * m][d];
    double[][] gg = g.toDoubleMatrix();
    for (int p = 0; p < plan.pairs(); p++) {
      int li = plan.leftRow(p);
      int ri = plan.rightRow(p);
      for (int c = 0; c < d; c++) {
        switch (agg) {
          case CAT -> {
            naive[li][c] += gg[p][c];
            naive[ri][c] += gg[p][c + d];
          }
          case SUM -> {
            naive[li][c] += gg[p][c];
            naive[ri][c] += gg[p][c];
          }
          case MEAN -> {
            naive[li][c] += gg[p][c] / 2;
            naive[ri][c] += gg[p][c] / 2;
          }
          case MAX -> {
            if (zz[li][c] >= zz[ri][c]) {
              naive[li][c] += gg[p][c];
            } else {
              naive[ri][c] += gg[p][c];
            }
          }
        }
      }
    }
    double[][] got = dz.toDoubleMatrix();
    for (int row = 0; row < k * m; row++) {
      for (int c = 0; c < d; c++) {
        assertThat(got[row][c])
            .isCloseTo(naive[row][c], org.assertj.core.data.Offset.offset(1e-12));
      }
    }
  }

  @Test
  void parsesNamesAndRejectsUnknownOnes() {
    assertThat(Aggregation.parse("Cat")).isEqualTo(Aggregation.CAT);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> Aggregation.parse("concat"))
        .hasMessageContaining("concat")
        .hasMessageContaining("cat, sum, mean, max");
  }
}

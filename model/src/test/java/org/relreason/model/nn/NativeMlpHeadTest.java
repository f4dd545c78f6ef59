package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;

/**
 * The native MLP heads (relation head; a multi-output head like SimCLR's projection) ({@link
 * org.relreason.model.nn.fast.NativeMlpHead}) against Deeplearning4j's layers on the same
 * parameters and inputs, in double: logits, the gradient of the pair rows, and every entry of the
 * flat gradient (including the running-statistic deltas), over steps of different sizes and after
 * the parameters are re-bound to a view of a larger vector.
 */
@ExtendWith(DoublePrecision.class)
class NativeMlpHeadTest {
  // double rounding of different summation orders (batch-norm sums over the rows) stays below
  // 1e-9 relative; a wrong term would show at 1e-3 or above
  private static final double TOL = 1e-8;

  @Test
  void nativeHeadEqualsDl4jLayers() {
    int in = 24;
    RelationHead fast = new RelationHead(in, 7, DataType.DOUBLE, RelationHead.Impl.NATIVE);
    RelationHead ref = new RelationHead(in, 7, DataType.DOUBLE, RelationHead.Impl.DL4J);
    assertThat(fast.params().equals(ref.params())).isTrue();
    Nd4j.getRandom().setSeed(11);
    for (int rows : new int[] {37, 37, 200}) {
      // distinct running statistics, so that the deltas are not trivially zero
      INDArray shift = Nd4j.rand(DataType.DOUBLE, fast.params().shape()).muli(0.1);
      fast.params().addi(shift);
      ref.params().addi(shift);
      step(fast, ref, Nd4j.randn(DataType.DOUBLE, rows, in).muli(2).addi(0.5), rows);
    }
  }

  @Test
  void multiOutputHeadEqualsDl4jLayers() {
    int in = 12;
    MlpHead fast = new MlpHead(in, 32, 5, 9, DataType.DOUBLE, MlpHead.Impl.NATIVE);
    MlpHead ref = new MlpHead(in, 32, 5, 9, DataType.DOUBLE, MlpHead.Impl.DL4J);
    Nd4j.getRandom().setSeed(13);
    INDArray x = Nd4j.randn(DataType.DOUBLE, 40, in);
    assertClose(fast.forward(x, true), ref.forward(x, true), "outputs");
    INDArray dz = Nd4j.randn(DataType.DOUBLE, 40, 5).divi(40);
    assertClose(fast.backward(dz.dup()), ref.backward(dz.dup()), "dL/drows");
    assertClose(fast.gradients(), ref.gradients(), "flat gradient");
  }

  @Test
  void equalAfterBindingToAView() {
    int in = 16;
    RelationHead fast = new RelationHead(in, 3, DataType.DOUBLE, RelationHead.Impl.NATIVE);
    RelationHead ref = new RelationHead(in, 3, DataType.DOUBLE, RelationHead.Impl.DL4J);
    INDArray flatA = Nd4j.create(DataType.DOUBLE, 1, fast.numParams() + 5);
    INDArray flatB = Nd4j.create(DataType.DOUBLE, 1, fast.numParams() + 5);
    fast.bind(flatA.get(interval(), interval(5, flatA.length())));
    ref.bind(flatB.get(interval(), interval(5, flatB.length())));
    assertThat(flatA.equals(flatB)).isTrue();
    assertThat(flatA.getDouble(0, 5)).isNotZero();
    Nd4j.getRandom().setSeed(5);
    step(fast, ref, Nd4j.randn(DataType.DOUBLE, 50, in), 50);
    // the parameters are live views: a change through the vector changes the logits
    INDArray x = Nd4j.randn(DataType.DOUBLE, 20, in);
    INDArray before = fast.forward(x, true);
    flatA.addi(0.01);
    assertThat(fast.forward(x, true).equalsWithEps(before, 1e-6)).isFalse();
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval() {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1);
  }

  private static org.nd4j.linalg.indexing.INDArrayIndex interval(long from, long to) {
    return org.nd4j.linalg.indexing.NDArrayIndex.interval(from, to);
  }

  private static void step(MlpHead fast, MlpHead ref, INDArray pairs, int rows) {
    INDArray zf = fast.forward(pairs, true);
    INDArray zr = ref.forward(pairs, true);
    assertClose(zf, zr, "logits");
    INDArray dz = Nd4j.randn(DataType.DOUBLE, rows, 1).divi(rows);
    INDArray df = fast.backward(dz.dup());
    INDArray dr = ref.backward(dz.dup());
    assertClose(df, dr, "dL/dpairs");
    assertClose(fast.gradients(), ref.gradients(), "flat gradient");
    assertThat(fast.gradients().amaxNumber().doubleValue()).isGreaterThan(0);
  }

  private static void assertClose(INDArray a, INDArray b, String what) {
    double scale = Math.max(1e-12, b.amaxNumber().doubleValue());
    double diff = a.reshape(a.length()).sub(b.reshape(b.length())).amaxNumber().doubleValue();
    assertThat(diff / scale).as(what + ": max |native - dl4j| / max |dl4j|").isLessThan(TOL);
  }
}

package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The native relation head in float, the precision it trains in, where its batch norm runs as
 * libnd4j's NHWC {@code batchnorm} (oneDNN) and its LeakyReLU as max and a derivative op, paths the
 * double test ({@link NativeMlpHeadTest}) does not take: against a double Deeplearning4j head on
 * the same parameters, the native float head must be as close as Deeplearning4j's own float layers
 * are (logits, dL/dpairs, every gradient entry).
 */
class NativeMlpHeadFloatTest {
  @ParameterizedTest
  @CsvSource({
    // centred features: float rounding alone, so a wrong slope or statistic stands out
    "0.0, 1.0",
    // features after a ReLU and a pool: non-negative, mean several times their spread, where
    // the batch norm's centring decides how much of float's precision is left
    "1.0, 0.5"
  })
  void floatNativeHeadIsAsCloseToDoubleAsDl4jFloat(double offset, double spread) {
    int in = 128;
    int rows = 3000;
    RelationHead nativeF = new RelationHead(in, 21, DataType.FLOAT, RelationHead.Impl.NATIVE);
    RelationHead dl4jF = new RelationHead(in, 21, DataType.FLOAT, RelationHead.Impl.DL4J);
    RelationHead exact = new RelationHead(in, 21, DataType.DOUBLE, RelationHead.Impl.DL4J);
    Nd4j.getRandom().setSeed(3);
    INDArray pairs =
        offset == 0
            ? Nd4j.randn(DataType.DOUBLE, rows, in).muli(spread)
            : Nd4j.rand(DataType.DOUBLE, rows, in).muli(spread).addi(offset);
    INDArray params =
        exact.params().add(Nd4j.rand(DataType.DOUBLE, exact.params().shape()).muli(0.1));
    exact.params().assign(params);
    nativeF.params().assign(params.castTo(DataType.FLOAT));
    dl4jF.params().assign(params.castTo(DataType.FLOAT));
    INDArray dz = Nd4j.randn(DataType.DOUBLE, rows, 1).divi(rows);

    INDArray z = exact.forward(pairs, true);
    INDArray dx = exact.backward(dz.dup());
    INDArray g = exact.gradients().dup();
    INDArray zN = nativeF.forward(pairs.castTo(DataType.FLOAT), true);
    INDArray dxN = nativeF.backward(dz.castTo(DataType.FLOAT));
    INDArray zD = dl4jF.forward(pairs.castTo(DataType.FLOAT), true);
    INDArray dxD = dl4jF.backward(dz.castTo(DataType.FLOAT));

    assertNoWorse(zN, zD, z, "logits");
    assertNoWorse(dxN, dxD, dx, "dL/dpairs");
    assertNoWorse(nativeF.gradients(), dl4jF.gradients(), g, "flat gradient");
  }

  /** Native's error against the double result within 2x Deeplearning4j float's (and 1e-6). */
  private static void assertNoWorse(INDArray nat, INDArray dl4j, INDArray exact, String what) {
    double scale = exact.amaxNumber().doubleValue();
    assertThat(scale).as(what + " scale").isGreaterThan(0);
    double eNative = error(nat, exact) / scale;
    double eDl4j = error(dl4j, exact) / scale;
    assertThat(eNative)
        .as(what + ": native float error %.3g against Deeplearning4j float's %.3g", eNative, eDl4j)
        .isLessThan(Math.max(2 * eDl4j, 1e-6));
  }

  private static double error(INDArray a, INDArray exact) {
    return a.castTo(DataType.DOUBLE)
        .reshape(a.length())
        .sub(exact.reshape(exact.length()))
        .amaxNumber()
        .doubleValue();
  }
}

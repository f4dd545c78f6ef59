package org.relreason.model.nn.fast;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link TapConvBackward} against libnd4j's {@code conv2d_bp} on the same 3x3/1 pad-1 NHWC conv, in
 * double: the input gradient and every weight-gradient entry, on a non-square image (so that a
 * height/width mix-up shows), with two convs sharing the padded buffers one after the other.
 */
class TapConvBackwardTest {
  @Test
  void equalsConv2dBpAndSharesItsBuffers() {
    DataType d = DataType.DOUBLE;
    Nd4j.getRandom().setSeed(17);
    long n = 3;
    long h = 5;
    long w = 7;
    int c = 4;
    int out = 6;
    INDArray x = Nd4j.randn(d, n, h, w, c);
    INDArray x2 = Nd4j.randn(d, n, h, w, c).addi(1);
    INDArray dConv = Nd4j.create(d, n, h, w, out);
    INDArray padded = Nd4j.create(d, TapConvBackward.paddedShape(x));
    INDArray grid = Nd4j.create(d, TapConvBackward.gridShape(dConv));
    for (INDArray input : new INDArray[] {x, x2}) {
      INDArray weights = Nd4j.randn(d, out, c, 3, 3);
      dConv.assign(Nd4j.randn(d, n, h, w, out));
      INDArray dX = Nd4j.create(d, n, h, w, c);
      INDArray gW = Nd4j.create(d, out, c, 3, 3);
      new TapConvBackward(input, weights, dConv, dX, gW, padded, grid, d).run();

      INDArray refDx = Nd4j.create(d, n, h, w, c);
      INDArray refGw = Nd4j.create(d, out, c, 3, 3);
      Nd4j.exec(
          DynamicCustomOp.builder("conv2d_bp")
              .addInputs(input, weights, dConv)
              .addOutputs(refDx, refGw)
              .addIntegerArguments(3, 3, 1, 1, 1, 1, 1, 1, 0, 1, 1)
              .build());
      assertThat(refGw.amaxNumber().doubleValue()).isGreaterThan(1);
      assertThat(maxDiff(dX, refDx)).as("dL/dx").isLessThan(1e-12);
      assertThat(maxDiff(gW, refGw)).as("weight gradient").isLessThan(1e-12);
    }
  }

  @Test
  void takesOnlyTheFewChannelStride1Conv() {
    assertThat(TapConvBackward.applies(16, 16, 3, 1)).isTrue();
    assertThat(TapConvBackward.applies(16, 32, 3, 2)).isFalse();
    assertThat(TapConvBackward.applies(32, 32, 3, 1)).isFalse();
    assertThat(TapConvBackward.applies(16, 16, 1, 1)).isFalse();
  }

  private static double maxDiff(INDArray a, INDArray b) {
    return a.sub(b).amaxNumber().doubleValue();
  }
}

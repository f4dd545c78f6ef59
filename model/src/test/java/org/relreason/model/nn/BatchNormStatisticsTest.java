package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.DoublePrecision;

/**
 * Pins down what DL4J 1.0.0-M2.1 writes at the {@link Backbone#statisticsMask()} positions of the
 * gradient, since the optimizer applies {@code p -= g} there.
 */
@ExtendWith(DoublePrecision.class)
class BatchNormStatisticsTest {
  private static final double DECAY = 0.9;

  @Test
  void statisticsGradientIsTheOldValueMinusTheMovingAverage() {
    GraphBackbone b =
        (GraphBackbone)
            Backbones.build(
                new BackboneSpec(BackboneKind.RESNET8, 0.25, 3, 16, 16), 5, DataType.DOUBLE);
    Nd4j.getRandom().setSeed(9);
    Map<String, INDArray> table = b.graph().paramTable();
    List<String> bns =
        table.keySet().stream()
            .filter(k -> k.endsWith("_mean"))
            .map(k -> k.substring(0, k.length() - "_mean".length()))
            .toList();
    assertThat(bns).hasSize(9); // stem, 2 in stage 1, 3 in stages 2 and 3
    // Start from non-trivial running statistics, so that "old" matters.
    for (String bn : bns) {
      INDArray mean = table.get(bn + "_mean");
      mean.assign(Nd4j.rand(DataType.DOUBLE, mean.shape()).subi(0.5));
      INDArray logStd = table.get(bn + "_log10stdev");
      logStd.assign(Nd4j.rand(DataType.DOUBLE, logStd.shape()).subi(0.5));
    }
    INDArray oldParams = b.params().dup();
    INDArray x = Nd4j.randn(DataType.DOUBLE, 4, 3, 16, 16).muli(2).addi(0.5);
    Map<String, INDArray> acts = b.graph().feedForward(new INDArray[] {x}, true, false);
    b.forward(x, true);
    b.backward(Nd4j.randn(DataType.DOUBLE, 4, b.featureSize()));
    double[] grad = b.gradients().toDoubleVector();
    double[] old = oldParams.toDoubleVector();

    boolean[] mask = b.statisticsMask();
    int marked = 0;
    for (String bn : bns) {
      assertThat(b.graph().getLayer(bn)).isInstanceOf(BatchNormalization.class);
      INDArray in = acts.get(b.graph().getConfiguration().getVertexInputs().get(bn).get(0));
      double[] batchMean = in.mean(0, 2, 3).toDoubleVector();
      // unbiased, divides by N*H*W - 1: the running variance follows PyTorch's running_var
      double[] batchVar = in.var(true, 0, 2, 3).toDoubleVector();
      List<Integer> meanPos = ParamPositions.of(b, bn + "_mean");
      List<Integer> stdPos = ParamPositions.of(b, bn + "_log10stdev");
      for (int c = 0; c < batchMean.length; c++) {
        int m = meanPos.get(c);
        int s = stdPos.get(c);
        assertThat(mask[m] && mask[s]).isTrue();
        marked += 2;
        double newMean = DECAY * old[m] + (1 - DECAY) * batchMean[c];
        assertThat(old[m] - grad[m]).as("%s mean[%d]", bn, c).isCloseTo(newMean, within(1e-12));
        double oldVar = Math.pow(10, 2 * old[s]);
        double newLog10Std = 0.5 * Math.log10(DECAY * oldVar + (1 - DECAY) * batchVar[c]);
        assertThat(old[s] - grad[s])
            .as("%s log10std[%d]", bn, c)
            .isCloseTo(newLog10Std, within(1e-12));
      }
    }
    int total = 0;
    for (boolean s : mask) {
      total += s ? 1 : 0;
    }
    assertThat(total).isEqualTo(marked);
  }
}

package org.relreason.model.nn;

import java.util.Map;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.layers.normalization.BatchNormalization;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/** Helpers on Deeplearning4j's flat parameter vectors. */
final class Dl4jParams {
  private Dl4jParams() {}

  /**
   * Marks the positions of batch-norm running statistics ({@code mean}, {@code var}, {@code
   * log10stdev}) in the flat vector, by temporarily writing a marker through the parameter table's
   * views.
   */
  static boolean[] statisticsMask(INDArray flat, Map<String, INDArray> table) {
    INDArray saved = flat.dup();
    flat.assign(0);
    for (Map.Entry<String, INDArray> e : table.entrySet()) {
      String key = e.getKey();
      String param = key.substring(key.lastIndexOf('_') + 1);
      if (param.equals("mean") || param.equals("var") || param.equals("log10stdev")) {
        e.getValue().assign(1);
      }
    }
    double[] marks = flat.toDoubleVector();
    flat.assign(saved);
    boolean[] mask = new boolean[marks.length];
    for (int i = 0; i < marks.length; i++) {
      mask[i] = marks[i] != 0;
    }
    return mask;
  }

  /**
   * After a Deeplearning4j backward, rewrites a batch-norm layer's running-variance delta as if the
   * batch variance had been the unbiased one, {@code n/(n-1)} times the biased one that
   * Deeplearning4j averages: PyTorch's {@code running_var} (and so the learning reference and the
   * fast native paths) average the unbiased variance. Deeplearning4j's delta {@code g} of the log10
   * std {@code p} means a new running variance {@code V = 10^(2(p-g)) = d R + (1-d) b} with {@code
   * R = 10^(2p)}; the unbiased one is {@code V + (V - d R)/(n-1)}.
   *
   * @param layer a batch-norm layer (other layers are left alone)
   * @param rows values per channel its batch statistics were taken over ({@code N H W})
   * @param decay the layer's running-average decay d
   */
  static void unbiasVarianceDelta(Layer layer, long rows, double decay) {
    if (!(layer instanceof BatchNormalization) || rows < 2) {
      return;
    }
    long c = layer.params().length() / 4;
    // the layer's flat views are rows [1, 4c]: gamma, beta, mean, log10 std
    INDArray logStd = layer.params().get(NDArrayIndex.all(), NDArrayIndex.interval(3 * c, 4 * c));
    INDArray gLogStd =
        layer.getGradientsViewArray().get(NDArrayIndex.all(), NDArrayIndex.interval(3 * c, 4 * c));
    INDArray before = Transforms.exp(logStd.mul(2 * Math.log(10)), false);
    INDArray after = Transforms.exp(logStd.sub(gLogStd).muli(2 * Math.log(10)), false);
    INDArray unbiased = after.sub(before.mul(decay)).divi(rows - 1.0).addi(after);
    INDArray newLogStd = Transforms.log(unbiased, false).muli(0.5 / Math.log(10));
    gLogStd.assign(logStd.sub(newLogStd));
  }
}

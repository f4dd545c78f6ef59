package org.relreason.model.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

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
}

package org.relreason.model.nn;

import java.util.ArrayList;
import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** Where a named parameter array of a {@link GraphBackbone} sits in its flat vector. */
final class ParamPositions {
  private ParamPositions() {}

  /** Flat indices of {@code key} (e.g. {@code "stem_bn_mean"}), in the array's own order. */
  static List<Integer> of(GraphBackbone b, String key) {
    INDArray flat = b.params();
    INDArray saved = flat.dup();
    flat.assign(0);
    INDArray view = b.graph().paramTable().get(key);
    long n = view.length();
    view.assign(Nd4j.arange(1, n + 1).castTo(flat.dataType()).reshape(view.shape()));
    double[] marks = flat.toDoubleVector();
    flat.assign(saved);
    Integer[] idx = new Integer[(int) n];
    for (int i = 0; i < marks.length; i++) {
      if (marks[i] != 0) {
        idx[(int) marks[i] - 1] = i;
      }
    }
    return new ArrayList<>(List.of(idx));
  }
}

package org.relreason.model.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds the pair matrix of a {@link PairPlan} from view-major features and routes the gradient
 * back. The pairs are assembled block by block from contiguous slices (a negative block is the
 * right view rotated by its shift), so no index gather is needed and the backward is a sum of slice
 * additions.
 *
 * <p>Every slice is taken with one {@code get(rows, columns)} on a base array: ND4J 1.0.0-M2.1
 * fails (null buffer) on a row slice of a column view.
 */
public final class PairAggregator {
  private final Aggregation aggregation;
  private INDArray left;
  private INDArray right;
  private long width;

  public PairAggregator(Aggregation aggregation) {
    this.aggregation = aggregation;
  }

  /** The aggregation in use. */
  public Aggregation aggregation() {
    return aggregation;
  }

  /**
   * Pair rows {@code [P, a(D)]} of features {@code [K*M, D]}. Keeps what the backward needs until
   * the next call.
   */
  public INDArray forward(INDArray features, PairPlan plan) {
    int m = plan.m();
    long d = features.size(1);
    if (features.size(0) != (long) plan.k() * m) {
      throw new IllegalArgumentException(
          "features have " + features.size(0) + " rows, expected K*M = " + plan.k() * m);
    }
    width = d;
    int p = plan.pairs();
    INDArray leftTarget;
    INDArray rightTarget;
    long rightColumn;
    INDArray out = null;
    if (aggregation == Aggregation.CAT) {
      out = Nd4j.create(features.dataType(), p, 2 * d);
      leftTarget = out;
      rightTarget = out;
      rightColumn = d;
    } else {
      leftTarget = Nd4j.create(features.dataType(), p, d);
      rightTarget = Nd4j.create(features.dataType(), p, d);
      rightColumn = 0;
    }
    int negBase = plan.blocks() * m;
    for (int b = 0; b < plan.blocks(); b++) {
      long zi = (long) plan.left(b) * m;
      long zj = (long) plan.right(b) * m;
      int s = plan.shift(b);
      slice(leftTarget, b * m, m, 0, d).assign(slice(features, zi, m, 0, d));
      slice(rightTarget, b * m, m, rightColumn, d).assign(slice(features, zj, m, 0, d));
      slice(leftTarget, negBase + b * m, m, 0, d).assign(slice(features, zi, m, 0, d));
      // negative row n pairs z_i[n] with z_j[(n+s) mod M]
      slice(rightTarget, negBase + b * m, m - s, rightColumn, d)
          .assign(slice(features, zj + s, m - s, 0, d));
      slice(rightTarget, negBase + b * m + m - s, s, rightColumn, d)
          .assign(slice(features, zj, s, 0, d));
    }
    left = aggregation == Aggregation.MAX ? leftTarget : null;
    right = aggregation == Aggregation.MAX ? rightTarget : null;
    return switch (aggregation) {
      case CAT -> out;
      case SUM -> leftTarget.addi(rightTarget);
      case MEAN -> leftTarget.addi(rightTarget).muli(0.5);
      case MAX -> Nd4j.math().max(leftTarget, rightTarget);
    };
  }

  /** Gradient w.r.t. the features {@code [K*M, D]} of the last forward, given {@code dL/dpairs}. */
  public INDArray backward(INDArray pairGradient, PairPlan plan) {
    long d = width;
    INDArray dLeft = pairGradient;
    INDArray dRight = pairGradient;
    long rightColumn = 0;
    switch (aggregation) {
      case CAT -> rightColumn = d;
      case SUM -> {}
      case MEAN -> {
        dLeft = pairGradient.mul(0.5);
        dRight = dLeft;
      }
      case MAX -> {
        if (left == null) {
          throw new IllegalStateException("backward() needs a forward() first");
        }
        // the larger member takes the gradient; ties go to the left member
        dRight = pairGradient.mul(right.gt(left).castTo(pairGradient.dataType()));
        dLeft = pairGradient.sub(dRight);
      }
      default -> throw new AssertionError(aggregation);
    }
    int m = plan.m();
    INDArray dz = Nd4j.zeros(pairGradient.dataType(), (long) plan.k() * m, d);
    int negBase = plan.blocks() * m;
    for (int b = 0; b < plan.blocks(); b++) {
      long zi = (long) plan.left(b) * m;
      long zj = (long) plan.right(b) * m;
      int s = plan.shift(b);
      slice(dz, zi, m, 0, d)
          .addi(slice(dLeft, b * m, m, 0, d))
          .addi(slice(dLeft, negBase + b * m, m, 0, d));
      slice(dz, zj, m, 0, d).addi(slice(dRight, b * m, m, rightColumn, d));
      slice(dz, zj + s, m - s, 0, d).addi(slice(dRight, negBase + b * m, m - s, rightColumn, d));
      slice(dz, zj, s, 0, d).addi(slice(dRight, negBase + b * m + m - s, s, rightColumn, d));
    }
    left = null;
    right = null;
    return dz;
  }

  private static INDArray slice(INDArray a, long row, long rows, long column, long columns) {
    return a.get(interval(row, row + rows), interval(column, column + columns));
  }
}

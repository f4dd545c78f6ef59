package org.relreason.model.nn;

import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.DynamicCustomOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Builds the pair matrix of a {@link PairPlan} from view-major features and routes the gradient
 * back. Concatenation (the paper's aggregation) takes one {@code gather} forward and one {@code
 * gather} plus one GEMM backward, whatever K (a step at K=16 has 120 view pairs, and a few hundred
 * small slice ops per step cost more than the data they move, most of all on shared cores). The
 * other aggregations are assembled block by block from contiguous slices (a negative block is the
 * right view rotated by its shift) and the backward is a sum of slice additions.
 *
 * <p>Every slice is taken with one {@code get(rows, columns)} on a base array: ND4J 1.0.0-M2.1
 * fails (null buffer) on a row slice of a column view.
 */
public final class PairAggregator {
  private final Aggregation aggregation;
  private INDArray left;
  private INDArray right;
  private long width;
  private int indexM = -1;
  private int indexK = -1;
  private INDArray gatherIds;
  private INDArray unrollIds;
  private INDArray incidence;

  /**
   * The CAT path's pair matrix and gathered gradient, reused from step to step (at K=32, M=64 each
   * is [63,488, 128] floats, 32 MB, that would otherwise wait for a garbage collection every step).
   */
  private INDArray pairBuffer;

  private INDArray groupedBuffer;

  public PairAggregator(Aggregation aggregation) {
    this.aggregation = aggregation;
  }

  /** The aggregation in use. */
  public Aggregation aggregation() {
    return aggregation;
  }

  /**
   * Pair rows {@code [P, a(D)]} of features {@code [K*M, D]}. Keeps what the backward needs until
   * the next call. For the concatenation the rows are this aggregator's own buffer, overwritten by
   * the next call: a caller that keeps them longer copies them.
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
    if (aggregation == Aggregation.CAT) {
      // One gather: pair row r of [P, 2D] is rows 2r (left) and 2r + 1 (right) of [2P, D].
      prepareIndices(plan, features.dataType());
      pairBuffer = reuse(pairBuffer, features.dataType(), p, 2 * d);
      INDArray pairs = pairBuffer;
      Nd4j.getExecutioner()
          .exec(
              DynamicCustomOp.builder("gather")
                  .addInputs(features, gatherIds)
                  .addOutputs(pairs.reshape('c', 2L * p, d))
                  .addIntegerArguments(0)
                  .build());
      left = null;
      right = null;
      return pairs;
    }
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
    if (aggregation == Aggregation.CAT) {
      return catBackward(pairGradient, plan);
    }
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

  /**
   * The CAT backward as one gather and one GEMM: the member gradients (rows of {@code dL/dpairs}
   * seen as {@code [2P, D]}) are gathered into {@code [(member, sign, block), M, D]} with the
   * negatives' right members rotated back to image order, so that every group of M rows belongs to
   * one view in image order; then {@code dz [K, M D] = S G}, with {@code S [K, 4 blocks]} the 0/1
   * incidence of views in groups.
   */
  private INDArray catBackward(INDArray pairGradient, PairPlan plan) {
    long d = width;
    int m = plan.m();
    DataType dt = pairGradient.dataType();
    prepareIndices(plan, dt);
    groupedBuffer = reuse(groupedBuffer, dt, 4L * plan.blocks() * m, d);
    INDArray grouped = groupedBuffer;
    Nd4j.getExecutioner()
        .exec(
            DynamicCustomOp.builder("gather")
                .addInputs(pairGradient.reshape('c', 2L * plan.pairs(), d), unrollIds)
                .addOutputs(grouped)
                .addIntegerArguments(0)
                .build());
    INDArray dz = incidence.mmul(grouped.reshape('c', 4L * plan.blocks(), m * d));
    return dz.reshape('c', (long) plan.k() * m, d);
  }

  /** Index arrays of the CAT path for the plan's M and K (they do not depend on labels). */
  private void prepareIndices(PairPlan plan, DataType dt) {
    if (plan.m() == indexM && plan.k() == indexK && incidence.dataType() == dt) {
      return;
    }
    int m = plan.m();
    int blocks = plan.blocks();
    int p = plan.pairs();
    int[] gather = new int[2 * p];
    for (int r = 0; r < p; r++) {
      gather[2 * r] = plan.leftRow(r);
      gather[2 * r + 1] = plan.rightRow(r);
    }
    int[] unroll = new int[4 * blocks * m];
    INDArray s = Nd4j.zeros(dt, plan.k(), 4L * blocks);
    for (int member = 0; member < 2; member++) {
      for (int sign = 0; sign < 2; sign++) {
        for (int b = 0; b < blocks; b++) {
          int group = (member * 2 + sign) * blocks + b;
          s.putScalar(member == 0 ? plan.left(b) : plan.right(b), group, 1.0);
          for (int n = 0; n < m; n++) {
            // the pair row whose member (left or right) is image n of its view
            int shift = member == 1 && sign == 1 ? plan.shift(b) : 0;
            int row = (sign * blocks + b) * m + Math.floorMod(n - shift, m);
            unroll[group * m + n] = 2 * row + member;
          }
        }
      }
    }
    gatherIds = Nd4j.createFromArray(gather);
    unrollIds = Nd4j.createFromArray(unroll);
    incidence = s;
    indexM = m;
    indexK = plan.k();
  }

  /** {@code buffer} if it has this type and shape, else a new array (the old one freed). */
  private static INDArray reuse(INDArray buffer, DataType dt, long rows, long columns) {
    if (buffer != null
        && buffer.dataType() == dt
        && buffer.size(0) == rows
        && buffer.size(1) == columns) {
      return buffer;
    }
    if (buffer != null) {
      buffer.close();
    }
    return Nd4j.create(dt, rows, columns);
  }

  private static INDArray slice(INDArray a, long row, long rows, long column, long columns) {
    return a.get(interval(row, row + rows), interval(column, column + columns));
  }
}

package org.relreason.model.eval;

import com.github.lbfgs4j.liblbfgs.Lbfgs;
import com.github.lbfgs4j.liblbfgs.LbfgsConstant;
import com.github.lbfgs4j.liblbfgs.MutableDouble;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.features.FeatureSet;

/**
 * The probe of Kolesnikov, Zhai and Beyer (CVPR 2019): multinomial logistic regression on frozen
 * features, fit by L-BFGS, with the L2 strength chosen on a validation split carved out of the
 * training set (the test set is only scored, once, at the end).
 *
 * <p>Objective: {@code mean_i CE(softmax(W x_i + b), y_i) + (l2 / 2) ||W||²}, biases not penalised:
 * scikit-learn's {@code LogisticRegression(multi_class="multinomial", C = 1 / (l2 n))} divided by
 * {@code C n}. L-BFGS is lbfgs4j's port of liblbfgs (history 10, Moré-Thuente line search), started
 * from zero weights: the objective is convex, so the start only changes how long it takes.
 *
 * <p>Features are standardised first (each to zero mean and unit variance over the training set;
 * the test set gets the training set's constants): raw pooled ReLU features differ in scale by
 * orders of magnitude, and on them L-BFGS was still moving after 200 iterations at the weak
 * strengths (measured on Conv-4 features of Fashion-MNIST), so that the choice of L2 and the score
 * depended on 1e-6 differences in the features. The penalty is then on standardised weights.
 *
 * <p>The search: {@link #L2_GRID} from the strongest to the weakest, each fit on the training rows
 * outside the validation split (warm-started from the previous strength's solution, which is what
 * makes a path of strengths cheap), scored on the validation split; the best (the stronger on a
 * tie) is refit on the whole training set from zero.
 */
final class LbfgsProbe {
  /** Candidate L2 strengths, strongest first. */
  static final double[] L2_GRID = {1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6};

  /** Share of the training set held out to choose L2. */
  static final double VALIDATION_FRACTION = 0.2;

  /** At most this many validation examples (enough to rank six strengths). */
  static final int MAX_VALIDATION = 10_000;

  /** L-BFGS iterations per fit at most (scikit-learn stops at 100). */
  static final int MAX_ITERATIONS = 200;

  /** Stop when {@code ||g|| < EPSILON * max(1, ||x||)} (liblbfgs' test). */
  static final double EPSILON = 1e-6;

  private final long seed;

  LbfgsProbe(long seed) {
    this.seed = seed;
  }

  LinearResult evaluate(FeatureSet train, FeatureSet test) {
    long start = System.nanoTime();
    int d = train.d();
    int c = train.numClasses();
    Standardizer z = Standardizer.fit(train);
    double[] x = z.apply(train);
    int[][] split = validationSplit(train.n(), seed);
    int[] fitRows = split[0];
    int[] valRows = split[1];
    double bestL2 = L2_GRID[0];
    double bestTop1 = -1;
    List<LinearResult.L2Trial> trials = new ArrayList<>();
    if (valRows.length > 0) {
      double[] warm = new double[LinearSoftmax.numParams(d, c)];
      for (double l2 : L2_GRID) {
        warm = fit(x, train.labels(), fitRows, d, c, l2, warm).params();
        double top1 = accuracy(new LinearSoftmax(d, c, warm), x, train.labels(), valRows);
        trials.add(new LinearResult.L2Trial(l2, top1));
        if (top1 > bestTop1) {
          bestTop1 = top1;
          bestL2 = l2;
        }
      }
    }
    Fit full = fit(x, train.labels(), allRows(train.n()), d, c, bestL2, null);
    LinearSoftmax model = new LinearSoftmax(d, c, full.params());
    double trainTop1 = model.accuracy(x, train.labels());
    double testTop1 = model.accuracy(z.apply(test), test.labels());
    double seconds = (System.nanoTime() - start) / 1e9;
    return new LinearResult(
        testTop1,
        trainTop1,
        full.objective(),
        full.iterations(),
        seconds,
        ProbeKind.LBFGS.id(),
        bestL2,
        trials,
        valRows.length);
  }

  /**
   * Rows {@code {fit, validation}} of a training set of {@code n}: a seeded permutation, its first
   * {@link #VALIDATION_FRACTION} (at most {@link #MAX_VALIDATION}) held out. A set of fewer than 5
   * examples holds nothing out (L2 then stays at the strongest candidate).
   */
  static int[][] validationSplit(int n, long seed) {
    int[] order = allRows(n);
    SplittableRandom rng = new SplittableRandom(seed ^ 0x4c42464753L);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    int v = n < 5 ? 0 : Math.min(MAX_VALIDATION, (int) Math.round(n * VALIDATION_FRACTION));
    int[] val = java.util.Arrays.copyOfRange(order, 0, v);
    int[] fit = java.util.Arrays.copyOfRange(order, v, n);
    java.util.Arrays.sort(val);
    java.util.Arrays.sort(fit);
    return new int[][] {fit, val};
  }

  /**
   * The result of one L-BFGS fit.
   *
   * @param params weights then biases ({@link LinearSoftmax}'s layout)
   * @param objective the regularised objective there
   * @param iterations L-BFGS iterations taken
   * @param status liblbfgs' return code
   */
  record Fit(double[] params, double objective, int iterations, String status) {}

  /**
   * Minimises the objective over {@code rows} of {@code x} from {@code init} (null = zeros).
   *
   * @throws IllegalStateException if L-BFGS fails before making progress or ends at a non-finite
   *     point
   */
  static Fit fit(double[] x, int[] labels, int[] rows, int d, int c, double l2, double[] init) {
    int n = LinearSoftmax.numParams(d, c);
    double[] theta = init == null ? new double[n] : init.clone();
    double[] scratch = new double[n];
    LinearSoftmax model = new LinearSoftmax(d, c, scratch);
    LbfgsConstant.LBFGS_Evaluate objective =
        (instance, at, grad, size, step) -> {
          System.arraycopy(at, 0, scratch, 0, n);
          double loss = model.lossAndGradient(x, labels, rows, 0, rows.length, grad);
          double penalty = 0;
          for (int i = 0; i < d * c; i++) {
            penalty += at[i] * at[i];
            grad[i] += l2 * at[i];
          }
          return loss + 0.5 * l2 * penalty;
        };
    int[] iterations = {0};
    LbfgsConstant.LBFGS_Progress progress =
        (instance, at, grad, fx, xnorm, gnorm, step, size, k, ls) -> {
          iterations[0] = k;
          return LbfgsConstant.ReturnValue.LBFGS_SUCCESS;
        };
    LbfgsConstant.LBFGS_Param param = Lbfgs.defaultParams();
    param.max_iterations = MAX_ITERATIONS;
    param.epsilon = EPSILON;
    MutableDouble fx = new MutableDouble();
    LbfgsConstant.ReturnValue status = Lbfgs.lbfgs(n, theta, fx, objective, progress, null, param);
    // Ending on the iteration cap or a rounding error near the optimum still leaves the best point
    // found in theta; anything else with no iteration done is a failure to report.
    boolean noProgress =
        iterations[0] == 0
            && status.val < 0
            && status != LbfgsConstant.ReturnValue.LBFGS_ALREADY_MINIMIZED;
    if (!Double.isFinite(fx.val) || noProgress) {
      throw new IllegalStateException(
          "L-BFGS failed (" + status + ") at l2=" + l2 + " on " + rows.length + " examples");
    }
    return new Fit(theta, fx.val, iterations[0], status.name());
  }

  /** Per-feature mean and standard deviation of a training set; a constant feature gets scale 1. */
  record Standardizer(double[] mean, double[] scale) {
    static Standardizer fit(FeatureSet train) {
      int d = train.d();
      double[] mean = new double[d];
      double[] sq = new double[d];
      float[] f = train.features();
      for (int i = 0; i < train.n(); i++) {
        for (int j = 0; j < d; j++) {
          double v = f[i * d + j];
          mean[j] += v;
          sq[j] += v * v;
        }
      }
      double[] scale = new double[d];
      for (int j = 0; j < d; j++) {
        mean[j] /= train.n();
        double var = Math.max(0, sq[j] / train.n() - mean[j] * mean[j]);
        scale[j] = var > 1e-12 ? 1 / Math.sqrt(var) : 1;
      }
      return new Standardizer(mean, scale);
    }

    /** The features of {@code set}, standardised, as doubles. */
    double[] apply(FeatureSet set) {
      int d = mean.length;
      float[] f = set.features();
      double[] out = new double[f.length];
      for (int k = 0; k < f.length; k++) {
        int j = k % d;
        out[k] = (f[k] - mean[j]) * scale[j];
      }
      return out;
    }
  }

  private static double accuracy(LinearSoftmax model, double[] x, int[] labels, int[] rows) {
    int correct = 0;
    for (int r : rows) {
      if (model.predict(x, r) == labels[r]) {
        correct++;
      }
    }
    return (double) correct / rows.length;
  }

  private static int[] allRows(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }
}

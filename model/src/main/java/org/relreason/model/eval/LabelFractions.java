package org.relreason.model.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.SplittableRandom;
import org.relreason.model.features.FeatureSet;

/**
 * Which training examples keep their label in the semi-supervised protocol (the paper's label
 * fractions 1, 10, 25, 50 and 100%): per class, {@code round(fraction * count)} examples, at least
 * one, chosen by a permutation of that class's examples drawn from the seed.
 *
 * <p>The permutation of a class depends only on the seed and the class, never on the fraction, so
 * the selections are nested: the 1% examples are among the 10% ones, and so on. A smaller fraction
 * is then a strict subset of the labels a larger one saw, which is what makes the curve over
 * fractions comparable point to point.
 */
public final class LabelFractions {
  /** The fractions of the paper's semi-supervised table. */
  public static final List<Double> PAPER = List.of(0.01, 0.10, 0.25, 0.50, 1.0);

  private LabelFractions() {}

  /**
   * Indices (ascending) of the examples kept at {@code fraction}.
   *
   * @param labels class of every training example, in {@code [0, numClasses)}
   * @param numClasses number of classes
   * @param fraction in {@code (0, 1]}
   * @param seed seeds the per-class permutations
   */
  public static int[] select(int[] labels, int numClasses, double fraction, long seed) {
    Objects.requireNonNull(labels, "labels");
    requireFraction(fraction);
    List<List<Integer>> byClass = new ArrayList<>(numClasses);
    for (int c = 0; c < numClasses; c++) {
      byClass.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= numClasses) {
        throw new IllegalArgumentException(
            "label " + labels[i] + " of example " + i + " outside [0, " + numClasses + ")");
      }
      byClass.get(labels[i]).add(i);
    }
    int[] kept = new int[labels.length];
    int n = 0;
    for (int c = 0; c < numClasses; c++) {
      int[] members = byClass.get(c).stream().mapToInt(Integer::intValue).toArray();
      if (members.length == 0) {
        continue;
      }
      // One stream per class, derived from (seed, class) alone: adding examples of another class
      // or changing the fraction leaves this class's order unchanged.
      shuffle(members, new SplittableRandom(seed * 1_000_003L + c));
      int take = count(members.length, fraction);
      System.arraycopy(members, 0, kept, n, take);
      n += take;
    }
    int[] out = Arrays.copyOf(kept, n);
    Arrays.sort(out);
    return out;
  }

  /** Examples kept out of {@code classCount} at {@code fraction}: rounded, at least one. */
  public static int count(int classCount, double fraction) {
    requireFraction(fraction);
    return Math.min(classCount, Math.max(1, (int) Math.round(fraction * classCount)));
  }

  /** Fails unless {@code fraction} is in (0, 1]. */
  public static void requireFraction(double fraction) {
    if (!(fraction > 0 && fraction <= 1)) {
      throw new IllegalArgumentException("label fraction must be in (0, 1], got " + fraction);
    }
  }

  /** The rows {@code indices} of a feature set, as a new set. */
  public static FeatureSet subset(FeatureSet set, int[] indices) {
    int d = set.d();
    float[] x = new float[indices.length * d];
    int[] y = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(set.features(), indices[k] * d, x, k * d, d);
      y[k] = set.labels()[indices[k]];
    }
    return new FeatureSet(x, y, indices.length, d, set.numClasses());
  }

  private static void shuffle(int[] a, SplittableRandom rng) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int tmp = a[i];
      a[i] = a[j];
      a[j] = tmp;
    }
  }
}

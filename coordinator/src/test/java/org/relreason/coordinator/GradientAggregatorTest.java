package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.TensorView;
import org.relreason.protocol.Tensors;
import org.relreason.protocol.v1.Error;

/**
 * The blocked, multi-threaded aggregation against the plain per-position loops the single-process
 * reference uses ({@link Reference}): equal bit for bit, over vectors long enough for many blocks
 * and parallel tasks, with statistic positions at block edges, signed zeros, subnormals and wide
 * magnitudes; and non-finite shards named, not summed.
 */
class GradientAggregatorTest {
  /** Several parallel tasks' worth, not a multiple of the block. */
  private static final int N = 5 * 16 * GradientAggregator.BLOCK + 777;

  private static final int BACKBONE = N - 3000;

  private static boolean[] mask() {
    boolean[] m = new boolean[N];
    int b = GradientAggregator.BLOCK;
    // runs across block edges, a lone position, and statistics in the head
    for (int i :
        new int[] {0, b - 2, b - 1, b, 3 * b + 5, 7 * b - 1, BACKBONE - 1, BACKBONE + 10}) {
      m[i] = true;
    }
    IntStream.range(2 * b - 40, 2 * b + 40).forEach(i -> m[i] = true);
    return m;
  }

  /** Random gradients with the awkward values IEEE arithmetic treats specially. */
  private static List<float[]> gradients(int shards, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    List<float[]> out = new ArrayList<>();
    for (int s = 0; s < shards; s++) {
      float[] g = new float[N];
      for (int i = 0; i < N; i++) {
        g[i] =
            switch (r.nextInt(8)) {
              case 0 -> -0.0f;
              case 1 -> 0.0f;
              case 2 -> Float.MIN_VALUE * r.nextInt(1, 100);
              case 3 -> (float) (r.nextGaussian() * 1e30);
              default -> (float) (r.nextGaussian() * Math.pow(10, r.nextInt(-12, 3)));
            };
      }
      out.add(g);
    }
    return out;
  }

  /** IMAGES mode as {@code Reference.imagesStep} computes it. */
  private static float[] referenceMean(List<float[]> gradients, long[] pairs) {
    double[] acc = new double[N];
    long total = 0;
    for (int s = 0; s < gradients.size(); s++) {
      for (int i = 0; i < N; i++) {
        acc[i] += (double) pairs[s] * gradients.get(s)[i];
      }
      total += pairs[s];
    }
    float[] out = new float[N];
    for (int i = 0; i < N; i++) {
      out[i] = (float) (acc[i] / total);
    }
    return out;
  }

  /** VIEWS mode as {@code Reference.viewsStep} computes it. */
  private static float[] referenceViews(
      List<float[]> gradients, int[] views, float[] head, boolean[] stats) {
    double[] acc = new double[BACKBONE];
    long total = 0;
    for (int s = 0; s < gradients.size(); s++) {
      for (int i = 0; i < BACKBONE; i++) {
        float g = gradients.get(s)[i];
        acc[i] += stats[i] ? (double) views[s] * g : g;
      }
      total += views[s];
    }
    float[] out = new float[N];
    for (int i = 0; i < BACKBONE; i++) {
      out[i] = (float) (stats[i] ? acc[i] / total : acc[i]);
    }
    System.arraycopy(head, BACKBONE, out, BACKBONE, N - BACKBONE);
    return out;
  }

  /** The shards as the coordinator receives them: protobuf tensors, statistics split off. */
  private static List<ShardGradient> onTheWire(List<float[]> gradients, boolean[] mask) {
    StatisticsLayout layout = new StatisticsLayout(mask);
    List<ShardGradient> out = new ArrayList<>();
    for (float[] g : gradients) {
      out.add(
          new ShardGradient(
              TensorView.of(Tensors.float32(layout.withoutStatistics(g), N), "gradient"),
              TensorView.of(Tensors.float32(layout.gather(g), layout.count()), "statistics")));
    }
    return out;
  }

  /** Bit equality, linear in the length (AssertJ's containsExactly is quadratic). */
  private static void assertSameBits(float[] actual, float[] expected) {
    assertThat(actual).hasSameSizeAs(expected);
    for (int i = 0; i < expected.length; i++) {
      if (Float.floatToRawIntBits(actual[i]) != Float.floatToRawIntBits(expected[i])) {
        assertThat(actual[i]).as("position %d", i).isEqualTo(expected[i]);
        assertThat(Float.floatToRawIntBits(actual[i]))
            .as("bits at position %d", i)
            .isEqualTo(Float.floatToRawIntBits(expected[i]));
      }
    }
  }

  @Test
  void weightedMeanEqualsThePerPositionLoopBitForBit() {
    boolean[] mask = mask();
    GradientAggregator a = new GradientAggregator(mask, BACKBONE);
    for (int shards : new int[] {1, 3, 8}) {
      List<float[]> g = gradients(shards, shards);
      long[] pairs = IntStream.range(0, shards).mapToLong(s -> 6L * (s % 2 == 0 ? 3 : 2)).toArray();
      float[] expected = referenceMean(g, pairs);
      assertSameBits(a.images(g, pairs), expected);
      assertSameBits(a.weightedMean(onTheWire(g, mask), pairs), expected);
    }
  }

  @Test
  void backboneSumEqualsThePerPositionLoopBitForBit() {
    boolean[] mask = mask();
    GradientAggregator a = new GradientAggregator(mask, BACKBONE);
    List<float[]> g = gradients(3, 11);
    g.forEach(x -> java.util.Arrays.fill(x, BACKBONE, N, 0f)); // workers send zeros over the head
    int[] views = {7, 7, 6};
    float[] head = gradients(1, 12).get(0);
    float[] expected = referenceViews(g, views, head, mask);
    assertSameBits(a.views(g, views, head), expected);
    assertSameBits(a.backboneSum(onTheWire(g, mask), views, head), expected);
  }

  @Test
  void aSignedZeroSumIsPositiveAsInTheReference() {
    GradientAggregator a = new GradientAggregator(new boolean[2], 2);
    float[] g = a.images(List.of(new float[] {-0.0f, -0.0f}), new long[] {3});
    assertThat(Float.floatToRawIntBits(g[0])).isEqualTo(Float.floatToRawIntBits(0.0f));
  }

  @Test
  void nonFiniteShardsAreNamedAndNothingIsReturned() {
    boolean[] mask = mask();
    GradientAggregator a = new GradientAggregator(mask, BACKBONE);
    List<float[]> g = gradients(4, 3);
    g.get(1)[12345] = Float.NaN;
    g.get(3)[N - 1] = Float.NEGATIVE_INFINITY; // in the head
    assertThatThrownBy(() -> a.weightedMean(onTheWire(g, mask), new long[] {1, 1, 1, 1}))
        .isInstanceOfSatisfying(
            GradientAggregator.NonFiniteShards.class,
            e -> {
              assertThat(e.refusals()).containsOnlyKeys(1, 3);
              assertThat(e.refusals().get(1).code()).isEqualTo(Error.Code.NON_FINITE);
              assertThat(e.refusals().get(1).getMessage()).contains("gradient[12345] is NaN");
              assertThat(e.refusals().get(3).getMessage())
                  .contains("gradient[" + (N - 1) + "] is -Infinity");
            });
  }

  @Test
  void nonFiniteValuesAnywhereAShardIsReadAreFound() {
    boolean[] mask = mask();
    GradientAggregator a = new GradientAggregator(mask, BACKBONE);
    List<float[]> g = gradients(2, 5);
    List<ShardGradient> wire = new ArrayList<>(onTheWire(g, mask));
    // a NaN under a statistic position of the gradient tensor (a value the sum then overwrites)
    float[] raw = new StatisticsLayout(mask).withoutStatistics(g.get(0));
    raw[GradientAggregator.BLOCK] = Float.NaN;
    wire.set(0, new ShardGradient(TensorView.of(raw, "gradient"), wire.get(0).statistics()));
    for (boolean images : new boolean[] {true, false}) {
      assertThatThrownBy(
              () -> {
                if (images) {
                  a.weightedMean(wire, new long[] {1, 2});
                } else {
                  a.backboneSum(wire, new int[] {1, 2}, new float[N]);
                }
              })
          .isInstanceOfSatisfying(
              GradientAggregator.NonFiniteShards.class,
              e -> assertThat(e.refusals()).containsOnlyKeys(0));
    }
  }

  /**
   * Finite shards whose sum overflows float: the shard of largest magnitude at the overflowing
   * position is refused (it is recomputed elsewhere), where this once failed the whole step.
   */
  @Test
  void aSumThatOverflowsFloatBlamesTheShardOfLargestMagnitude() {
    GradientAggregator a = new GradientAggregator(new boolean[3], 2);
    float[] half = {Float.MAX_VALUE / 2, 1f, 0f};
    float[] big = {Float.MAX_VALUE, 1f, 0f};
    assertThatThrownBy(() -> a.views(List.of(half, big), new int[] {1, 1}, new float[3]))
        .isInstanceOfSatisfying(
            GradientAggregator.NonFiniteShards.class,
            e -> {
              assertThat(e.refusals()).containsOnlyKeys(1);
              assertThat(e.refusals().get(1).code()).isEqualTo(Error.Code.NON_FINITE);
              assertThat(e.refusals().get(1).getMessage()).contains("gradient[0]");
            });
  }

  @Test
  void wrongLengthsAreRefusedNamingBoth() {
    GradientAggregator a = new GradientAggregator(new boolean[4], 4);
    assertThatThrownBy(() -> a.images(List.of(new float[3]), new long[] {1}))
        .hasMessageContaining("gradient of 3 values for 4 parameters");
    assertThatThrownBy(() -> a.images(List.of(new float[4]), new long[] {1, 2}))
        .hasMessageContaining("1 shards, 2 weights");
  }
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.StatisticsLayout;
import org.relreason.protocol.v1.ShardingMode;

/** The pure parts of the parameter server: shard plans, aggregation weights, the BN layout. */
class ShardPlannerAndAggregatorTest {

  @Test
  void imageShardsAreContiguousBalancedAndAtLeastTwoImages() {
    List<Shard> s = ShardPlanner.plan(ShardingMode.IMAGES, 7, 3, 3);
    assertThat(s).extracting(x -> x.positions().length).containsExactly(3, 2, 2);
    assertThat(s.get(1).positions()).containsExactly(3, 4);
    assertThat(ShardPlanner.plan(ShardingMode.IMAGES, 5, 3, 4)).hasSize(2); // M/2 at most
  }

  @Test
  void viewShardsCoverAllRowsOnce() {
    List<Shard> s = ShardPlanner.plan(ShardingMode.VIEWS, 7, 3, 2);
    assertThat(s.get(0).rows()).hasSize(11);
    assertThat(s.get(1).rows()).hasSize(10).startsWith(11).endsWith(20);
  }

  @Test
  void imagesModeIsThePairWeightedMeanAndOneShardIsExact() {
    GradientAggregator a = new GradientAggregator(new boolean[] {false, true}, 2);
    float[] g = a.images(List.of(new float[] {1f, 2f}, new float[] {4f, 8f}), new long[] {3, 1});
    assertThat(g).containsExactly((3 * 1f + 4f) / 4, (3 * 2f + 8f) / 4);
    float[] odd = {0.1f, 1e-7f};
    assertThat(a.images(List.of(odd), new long[] {36})).containsExactly(odd);
  }

  @Test
  void viewsModeSumsBackboneGradientsAveragesStatisticsAndTakesTheHeadWhole() {
    // positions: 0 backbone weight, 1 backbone BN statistic, 2 head weight
    GradientAggregator a = new GradientAggregator(new boolean[] {false, true, false}, 2);
    float[] g =
        a.views(
            List.of(new float[] {1f, 10f, 0f}, new float[] {2f, 40f, 0f}),
            new int[] {3, 1},
            new float[] {9f, 9f, 5f});
    assertThat(g).containsExactly(3f, (3 * 10f + 40f) / 4, 5f);
  }

  @Test
  void statisticsLayoutSplitsAndRestoresAFullVector() {
    StatisticsLayout l = new StatisticsLayout(new boolean[] {false, true, true, false, true});
    assertThat(l.ranges()).hasSize(2);
    assertThat(l.ranges().get(0).getStart()).isEqualTo(1);
    assertThat(l.ranges().get(0).getEnd()).isEqualTo(3);
    float[] full = {1, 2, 3, 4, 5};
    float[] trainable = l.withoutStatistics(full);
    assertThat(trainable).containsExactly(1, 0, 0, 4, 0);
    l.scatter(l.gather(full), trainable);
    assertThat(trainable).containsExactly(full);
  }
}

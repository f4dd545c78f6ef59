package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.relreason.model.train.StepStats;
import org.relreason.observe.StepTimes;
import org.relreason.protocol.v1.ShardingMode;

/** The step in flight and VIEWS mode's checks of the objective, without a cluster. */
class StepRoundAndObjectiveTest {
  private static final List<Shard> SHARDS = ShardPlanner.plan(ShardingMode.VIEWS, 4, 3, 3);

  @Test
  void aRoundHasOneSlotPerShardAndItsPhaseTimesAddUp() {
    StepRound st = new StepRound(7, 7, 1, new int[] {3, 1, 2, 0}, SHARDS, null);
    assertThat(st.tried).hasSize(3);
    assertThat(st.computedBy).hasSize(3);
    assertThat(st.norms.length).isEqualTo(3);
    st.sent = st.started + 1_000_000;
    st.firstDone = st.sent + 2_000_000;
    st.lastDone = st.firstDone + 3_000_000;
    StepTimes t = st.times(new double[] {0.1, 0.2, 0.3});
    assertThat(t.plan()).isEqualTo(0.001);
    assertThat(t.compute()).isEqualTo(0.002);
    assertThat(t.fanIn()).isEqualTo(0.003);
    assertThat(t.aggregate()).isEqualTo(0.1);
    assertThat(t.broadcast()).isEqualTo(0.3);
  }

  @Test
  void theLargestFeatureNamesItsShardAndNonFiniteOutputsAreCaught() {
    int rows = 4 * 3;
    FeatureRound r = new FeatureRound(SHARDS, rows, 2);
    for (int s = 0; s < SHARDS.size(); s++) {
      float[] x = new float[SHARDS.get(s).rows().length * 2];
      java.util.Arrays.fill(x, s + 1);
      if (s == 1) {
        x[x.length - 1] = -50;
      }
      r.put(s, x);
    }
    assertThat(r.complete()).isTrue();
    ViewsObjective.Largest largest = ViewsObjective.largest(r);
    assertThat(largest.shard()).isEqualTo(1);
    assertThat(largest.magnitude()).isEqualTo(50f);
    StepStats stats = new StepStats(1.0, 2, 1, 1, 1, 0);
    float[] ok = new float[rows * 2];
    assertThat(ViewsObjective.finite(new FeatureRound.Output(ok, new float[3], stats))).isTrue();
    float[] bad = ok.clone();
    bad[5] = Float.NaN;
    assertThat(ViewsObjective.finite(new FeatureRound.Output(bad, new float[3], stats))).isFalse();
    StepStats inf = new StepStats(Double.POSITIVE_INFINITY, 2, 1, 1, 1, 0);
    assertThat(ViewsObjective.finite(new FeatureRound.Output(ok, new float[3], inf))).isFalse();
  }
}

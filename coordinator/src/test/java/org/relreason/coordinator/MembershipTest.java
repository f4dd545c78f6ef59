package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.relreason.protocol.v1.ShardingMode;

/** Who takes part, without a cluster: joining at step boundaries, eviction, shard assignment. */
class MembershipTest {
  private static final Shard SHARD_1 = ShardPlanner.plan(ShardingMode.IMAGES, 6, 3, 2).get(1);

  @Test
  void aWorkerRegisteredDuringARunJoinsAtTheNextStepBoundary() {
    Membership m = new Membership();
    m.register("w0", null, false, 0);
    m.register("w1", null, true, 0);
    assertThat(m.live()).containsExactly("w0");
    assertThat(m.isJoining("w1")).isTrue();
    assertThat(m.taken("w1")).isTrue();
    assertThat(m.everyone()).containsExactly("w0", "w1");
    m.admitJoining(5);
    assertThat(m.live()).containsExactly("w0", "w1");
    assertThat(m.isJoining("w1")).isFalse();
  }

  @Test
  void silentMembersAreEvictedWithTheirSilence() {
    Membership m = new Membership();
    m.register("w0", null, false, 0);
    m.register("w1", null, false, 0);
    assertThat(m.heartbeat("w1", 900)).isTrue();
    assertThat(m.heartbeat("stranger", 900)).isFalse();
    assertThat(m.evictSilent(1000, 500)).containsExactly(java.util.Map.entry("w0", 1000L));
    assertThat(m.live()).containsExactly("w1");
  }

  @Test
  void aNodeThatLeftTakesAllItsWorkersAndOnlyMembersCountAsDeaths() {
    Membership m = new Membership();
    m.register("a", "node-1", false, 0);
    m.register("b", "node-2", false, 0);
    m.register("c", "node-1", true, 0); // joining, not yet a member
    List<String> members = new ArrayList<>();
    assertThat(m.leftNode("node-1", members)).containsExactly("a", "c");
    assertThat(members).containsExactly("a");
    assertThat(m.live()).containsExactly("b");
    assertThat(m.taken("c")).isFalse();
  }

  @Test
  void aShardGoesToItsPreferredWorkerElseToAnUntriedOneByShardId() {
    Membership m = new Membership();
    for (String w : List.of("w0", "w1", "w2")) {
      m.register(w, null, false, 0);
    }
    assertThat(m.pick(SHARD_1, "w2", Set.of())).isEqualTo("w2");
    assertThat(m.pick(SHARD_1, "w2", Set.of("w2"))).isEqualTo("w1"); // [w0, w1][1 % 2]
    assertThat(m.pick(SHARD_1, null, Set.of("w0", "w1", "w2"))).isNull();
    assertThat(m.anotherThan("w0", Set.of("w1"))).isTrue();
    assertThat(m.anotherThan("w0", Set.of("w1", "w2"))).isFalse();
    assertThat(m.remove("w1")).isTrue();
    assertThat(m.remove("w1")).isFalse();
    assertThat(m.disconnect("w2")).isTrue();
    assertThat(m.size()).isEqualTo(1);
  }
}

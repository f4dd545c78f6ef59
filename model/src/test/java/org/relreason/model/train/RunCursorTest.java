package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The run's cursor, which the single-process trainer and the coordinator share: the (epoch, step)
 * sequence, when epochs are prepared and closed, and when checkpoints fall due.
 */
class RunCursorTest {
  private static final StepStats ONE = new StepStats(1.0, 1, 1, 1, 1, 0);

  @Test
  void walksEpochsClosesThemAndTheRunsLastPartialOne() {
    RunCursor c = new RunCursor(3, 8);
    c.begin(7);
    List<String> positions = new ArrayList<>();
    List<Long> closedAt = new ArrayList<>();
    List<Long> everyEpoch = new ArrayList<>();
    List<Long> everyTwo = new ArrayList<>();
    List<Integer> prepared = new ArrayList<>();
    while (!c.done()) {
      if (c.epochPreparationDue()) {
        prepared.add(c.epoch());
        c.epochPrepared(c.epoch());
      }
      positions.add(c.epoch() + "." + c.stepInEpoch());
      RunCursor.Advance a = c.advance(ONE, 7);
      assertThat(a.report().globalStep()).isEqualTo(c.globalStep());
      if (a.closedEpoch() != null) {
        closedAt.add(c.globalStep());
        // the closed epoch's statistics sum its steps: 3 full, 1 in the run's partial last epoch
        assertThat(a.closedEpoch().pairs()).isEqualTo(c.globalStep() == 7 ? 1 : 3);
      }
      if (c.checkpointDue(0, a)) {
        everyEpoch.add(c.globalStep());
      }
      if (c.checkpointDue(2, a)) {
        everyTwo.add(c.globalStep());
      }
    }
    assertThat(positions).containsExactly("0.0", "0.1", "0.2", "1.0", "1.1", "1.2", "2.0");
    assertThat(prepared).containsExactly(0, 1, 2);
    assertThat(closedAt).containsExactly(3L, 6L, 7L);
    assertThat(everyEpoch).containsExactly(3L, 6L, 7L);
    assertThat(everyTwo).containsExactly(2L, 4L, 6L, 7L);
  }

  @Test
  void aResumedRunPreparesItsEpochAgainAndContinuesTheSequence() {
    RunCursor c = new RunCursor(3, 8);
    c.resumeAt(1, 2, 5);
    c.begin(7);
    assertThat(c.epochPreparationDue()).isTrue();
    c.epochPrepared(1);
    RunCursor.Advance a = c.advance(ONE, 7);
    assertThat(a.report().epoch()).isEqualTo(1);
    assertThat(a.report().stepInEpoch()).isEqualTo(2);
    assertThat(a.epochEnded()).isTrue();
    assertThat(c.epoch()).isEqualTo(2);
    assertThat(c.stepInEpoch()).isZero();
    assertThat(c.epochPreparationDue()).isTrue();
    assertThat(c.stepsSinceBegin()).isEqualTo(1);
  }

  @Test
  void refusesAPositionOutsideTheEpochAndAStepBeforeBegin() {
    RunCursor c = new RunCursor(3, 8);
    assertThatThrownBy(() -> c.resumeAt(0, 3, 3)).hasMessageContaining("step 3 of 3");
    assertThatThrownBy(() -> c.advance(ONE, 1)).hasMessageContaining("before begin");
  }
}

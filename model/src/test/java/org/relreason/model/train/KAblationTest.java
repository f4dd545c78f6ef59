package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Normalization;
import org.relreason.model.run.Trainer;

/**
 * The K ablation the reviewers asked for (K ∈ {2, 4, 8, 16, 32}) runs end to end through the
 * configuration and the trainer, and a step scores exactly the paper's M·K(K−1) pairs, half of them
 * positive.
 */
class KAblationTest {

  @ParameterizedTest
  @ValueSource(ints = {2, 4, 8, 16, 32})
  void aStepScoresMTimesKTimesKMinusOnePairs(int k) throws Exception {
    int m = 2;
    TrainConfig c =
        TrainerResumeTest.config(
            Map.of(
                "k",
                Integer.toString(k),
                "m",
                Integer.toString(m),
                "max-steps",
                "1",
                "epochs",
                "1"));
    assertThat(c.k()).isEqualTo(k);
    try (Trainer t = new Trainer(c, TrainerResumeTest.synthetic(8), Normalization.CIFAR10)) {
      assertThat(t.model().viewsPerImage()).isEqualTo(k);
      StepStats last = t.pretrain(new TrainListener() {}).lastStep();
      long pairs = (long) m * k * (k - 1);
      assertThat(last.pairs()).isEqualTo(pairs);
      assertThat(last.positives()).isEqualTo(pairs / 2);
      assertThat(last.negatives()).isEqualTo(pairs / 2);
      assertThat(last.loss()).isFinite();
    }
  }
}

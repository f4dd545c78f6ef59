package org.relreason.model.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;

/**
 * A step whose gradient is not finite stops the run with the step, the parameter and the loss
 * named, before the optimizer or the parameters change.
 */
class TrainerNonFiniteTest {
  @Test
  void aNanInputStopsTheStepNamingWhereAndLeavesTheParameters() {
    byte[] px = new byte[8 * 3 * 16 * 16];
    new SplittableRandom(3).nextBytes(px);
    ImageSet set = new ImageSet("synthetic", 8, 3, 16, 16, px, null, 0);
    TrainConfig config =
        TrainConfig.of(Map.of("backbone", "conv4", "width", "0.5", "k", "2", "m", "4"));
    try (Trainer t = new Trainer(config, set, Normalization.CIFAR10)) {
      int[] images = {0, 1, 2, 3};
      float[] views = new float[2 * 4 * 3 * 16 * 16];
      Arrays.fill(views, 0.5f);
      views[7] = Float.NaN;
      float[] before = t.model().paramsVector();
      assertThatThrownBy(() -> t.step(views, images))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("non-finite gradient at step 0 (epoch 0, step 0), parameter ")
          .hasMessageContaining("lower the learning rate or check the input data");
      assertThat(t.model().paramsVector()).isEqualTo(before);
    }
  }
}

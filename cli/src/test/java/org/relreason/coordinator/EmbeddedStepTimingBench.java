package org.relreason.coordinator;

import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.run.PretrainResult;
import org.relreason.model.run.Trainer;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Not a timed test: prints step times of the single-process Trainer and of the embedded parameter
 * server (1 and 2 workers, both modes) for Conv-4 on 32×32 synthetic images, M=64, K=4. Run with
 * {@code mvn -o -q -pl coordinator -am test -Drelreason.bench=true -Dtest=EmbeddedStepTimingBench
 * -Dsurefire.failIfNoSpecifiedTests=false}.
 */
@EnabledIfSystemProperty(named = "relreason.bench", matches = "true")
class EmbeddedStepTimingBench {
  private static final int STEPS = 8;

  @Test
  void printStepTimes() throws Exception {
    TrainConfig config =
        TrainConfig.of(
            Map.of(
                "backbone",
                "conv4",
                "width",
                "1",
                "k",
                "4",
                "m",
                "64",
                "epochs",
                "1",
                "max-steps",
                Integer.toString(STEPS),
                "seed",
                "3"));
    byte[] pixels = new byte[STEPS * 64 * 3 * 32 * 32];
    new SplittableRandom(1).nextBytes(pixels);
    ImageSet set = new ImageSet("synthetic32", STEPS * 64, 3, 32, 32, pixels, null, 0);
    trainer(config, set, "warm-up");
    for (ShardingMode mode : new ShardingMode[] {ShardingMode.IMAGES, ShardingMode.VIEWS}) {
      for (int w : new int[] {1, 2}) {
        RunResult r =
            EmbeddedRun.run(
                config,
                set,
                Reference.NORM,
                CoordinatorOptions.of(UUID.randomUUID().toString(), w, mode));
        System.out.printf(
            "BENCH embedded %s W=%d: median %.1f ms/step, mean %.1f ms/step%n",
            mode, w, r.medianStepMillis(), r.seconds() * 1000 / r.steps());
      }
    }
    trainer(config, set, "after the embedded runs");
  }

  private static void trainer(TrainConfig config, ImageSet set, String when) throws Exception {
    try (Trainer t = new Trainer(config, set, Reference.NORM)) {
      PretrainResult r = t.pretrain(new org.relreason.model.train.TrainListener() {});
      System.out.printf(
          "BENCH single-process Trainer (%s): mean %.1f ms/step over %d steps%n",
          when, r.seconds() * 1000 / r.steps(), r.steps());
    }
  }
}

package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.run.PretrainResult;
import org.relreason.model.run.Trainer;

/**
 * A run stopped and resumed from its checkpoint ends bit-for-bit where the uninterrupted run ends.
 */
class TrainerResumeTest {
  private static final ImageSet IMAGES = synthetic(24);

  static ImageSet synthetic(int n) {
    byte[] px = new byte[n * 3 * 16 * 16];
    new SplittableRandom(5).nextBytes(px);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    return new ImageSet("synthetic", n, 3, 16, 16, px, labels, 3);
  }

  static TrainConfig config(Map<String, String> extra) {
    Map<String, String> v = new HashMap<>();
    v.put("backbone", "conv4");
    v.put("width", "0.5");
    v.put("k", "3");
    v.put("m", "4");
    v.put("epochs", "2");
    v.put("seed", "11");
    v.putAll(extra);
    return TrainConfig.of(v);
  }

  private static float[] train(TrainConfig c) throws Exception {
    try (Trainer t = new Trainer(c, IMAGES, Normalization.CIFAR10)) {
      PretrainResult r = t.pretrain(new TrainListener() {});
      assertThat(r.globalStep()).isEqualTo(t.totalSteps());
      return t.model().paramsVector();
    }
  }

  @Test
  void resumingFromACheckpointContinuesTheSameRunBitForBit(@TempDir Path dir) throws Exception {
    float[] uninterrupted = train(config(Map.of()));
    String ck = dir.toString();
    // stop after 5 of 12 steps (inside the first epoch), checkpointing every 2 steps and at the
    // stop
    float[] stopped =
        train(config(Map.of("checkpoint-dir", ck, "checkpoint-every", "2", "max-steps", "5")));
    assertThat(stopped).isNotEqualTo(uninterrupted);
    assertThat(new CheckpointStore(dir, 3).latest()).get().asString().endsWith("checkpoint-5.rrck");
    float[] resumed = train(config(Map.of("checkpoint-dir", ck, "checkpoint-every", "2")));
    assertThat(resumed).containsExactly(uninterrupted);
  }

  @Test
  void aCheckpointOfADifferentModelIsRefusedNamingTheKey(@TempDir Path dir) throws Exception {
    train(config(Map.of("checkpoint-dir", dir.toString(), "max-steps", "1")));
    assertThatThrownBy(
            () -> train(config(Map.of("checkpoint-dir", dir.toString(), "aggregation", "max"))))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("aggregation=cat (this run: max)");
  }

  @Test
  void semiSupervisedOptionNeedsLabelsAndChangesTheTargets() throws Exception {
    TrainConfig c = config(Map.of("label-fraction", "1"));
    try (Trainer t = new Trainer(c, IMAGES, Normalization.CIFAR10)) {
      int[] images = t.schedule().images(0, 0);
      float[] targets = t.plan(images).targets();
      long positives = 0;
      for (float f : targets) {
        positives += (long) f;
      }
      // every same-class "negative" turned positive: more positives than the unsupervised half
      assertThat(positives).isGreaterThanOrEqualTo(targets.length / 2);
    }
    ImageSet unlabeled = new ImageSet("u", 24, 3, 16, 16, IMAGES.pixels(), null, 0);
    assertThatThrownBy(() -> new Trainer(c, unlabeled, Normalization.CIFAR10))
        .hasMessageContaining("label-fraction");
  }
}

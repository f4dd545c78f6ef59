package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Normalization;
import org.relreason.model.method.InfoMaxHead;
import org.relreason.model.run.PretrainResult;
import org.relreason.model.run.Trainer;

/**
 * Deep InfoMax through the trainer: its discriminators live in the flat vector after the backbone,
 * so checkpoints and Adam carry them, and a stopped and resumed run (prior samples drawn from the
 * minibatch) ends bit for bit where the uninterrupted one ends.
 */
class InfoMaxResumeTest {

  private static float[] train(Map<String, String> extra) throws Exception {
    Map<String, String> v = new java.util.HashMap<>(Map.of("method", "infomax", "m", "4"));
    v.putAll(extra);
    TrainConfig c = TrainerResumeTest.config(v);
    try (Trainer t = new Trainer(c, TrainerResumeTest.synthetic(8), Normalization.CIFAR10)) {
      assertThat(t.model().method()).isEqualTo(MethodKind.INFOMAX);
      assertThat(t.model().viewsPerImage()).isEqualTo(1);
      // backbone, then the local (C + D → 256 → 256 → 1) and prior (D → 512 → 128 → 1) layers
      int c0 = 4;
      int d = 32;
      int h = InfoMaxHead.LOCAL_HIDDEN;
      long local = (long) (c0 + d) * h + h + (long) h * h + h + h + 1;
      long prior =
          (long) d * InfoMaxHead.PRIOR_HIDDEN_1
              + InfoMaxHead.PRIOR_HIDDEN_1
              + (long) InfoMaxHead.PRIOR_HIDDEN_1 * InfoMaxHead.PRIOR_HIDDEN_2
              + InfoMaxHead.PRIOR_HIDDEN_2
              + InfoMaxHead.PRIOR_HIDDEN_2
              + 1;
      assertThat(t.model().numParams() - t.model().backboneParams()).isEqualTo(local + prior);
      PretrainResult r = t.pretrain(new TrainListener() {});
      assertThat(r.lastStep().loss()).isFinite();
      return t.model().paramsVector();
    }
  }

  @Test
  void resumingFromACheckpointContinuesTheSameRunBitForBit(@TempDir Path dir) throws Exception {
    float[] uninterrupted = train(Map.of());
    String ck = dir.toString();
    float[] stopped = train(Map.of("checkpoint-dir", ck, "max-steps", "3"));
    assertThat(stopped).isNotEqualTo(uninterrupted);
    float[] resumed = train(Map.of("checkpoint-dir", ck));
    assertThat(resumed).containsExactly(uninterrupted);
  }
}

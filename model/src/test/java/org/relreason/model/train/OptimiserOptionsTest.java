package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.LearningRateSchedule;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.method.Methods;

/** Warm-up + cosine schedule, AdamW's decoupled decay, clipping by global norm (#15). */
class OptimiserOptionsTest {

  @Test
  void cosineScheduleWithWarmUpHasTheFormulasValues() {
    LearningRateSchedule s = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 4, 20);
    // linear warm-up: (t + 1) / W
    assertThat(s.factor(0)).isEqualTo(0.25);
    assertThat(s.factor(1)).isEqualTo(0.5);
    assertThat(s.factor(3)).isEqualTo(1.0);
    // cosine over the 16 steps after it: ½(1 + cos(π (t − 4) / 16))
    assertThat(s.factor(4)).isEqualTo(1.0);
    assertThat(s.factor(8)).isCloseTo(0.5 * (1 + Math.cos(Math.PI / 4)), within(1e-15));
    assertThat(s.factor(12)).isCloseTo(0.5, within(1e-15));
    assertThat(s.factor(19)).isCloseTo(0.5 * (1 + Math.cos(Math.PI * 15 / 16)), within(1e-15));
    assertThat(s.factor(20)).isCloseTo(0, within(1e-15));
    assertThat(s.factor(500)).isCloseTo(0, within(1e-15));
    // warm-up, then constant
    LearningRateSchedule w = new LearningRateSchedule(LearningRateSchedule.Kind.CONSTANT, 10, 20);
    assertThat(w.factor(4)).isEqualTo(0.5);
    assertThat(w.factor(10)).isEqualTo(1.0);
    assertThat(w.factor(19)).isEqualTo(1.0);
    assertThat(LearningRateSchedule.CONSTANT.isConstant()).isTrue();
    assertThat(LearningRateSchedule.CONSTANT.factor(123)).isEqualTo(1.0);
    assertThatThrownBy(() -> new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 30, 20))
        .hasMessageContaining("'warmup-steps'")
        .hasMessageContaining("30");
  }

  @Test
  void adamWTakesTheHandComputedStep() {
    boolean[] mask = {false, false, true};
    double lr = 0.01;
    double wd = 0.1;
    Adam adamW =
        new Adam(3, lr, mask)
            .withSchedule(new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 0, 4), wd);
    float[] p = {1f, -2f, 5f};
    float[] g = {0.1f, -0.3f, 0.2f};
    adamW.step(p, g);
    // step 0 has the full rate; m̂ = g and v̂ = g², so the Adam part moves each weight by
    // lr·g/(|g|+ε); the decay multiplies it by (1 − lr·wd) first; statistics take p −= g
    assertThat((double) p[0]).isCloseTo(1 * (1 - lr * wd) - lr * 0.1 / (0.1 + 1e-8), within(1e-6));
    assertThat((double) p[1]).isCloseTo(-2 * (1 - lr * wd) + lr * 0.3 / (0.3 + 1e-8), within(1e-6));
    assertThat((double) p[2]).isCloseTo(5 - 0.2, within(1e-6));
    // step 1: rate lr·½(1 + cos(π/4)), decay with that rate
    double lr1 = lr * 0.5 * (1 + Math.cos(Math.PI / 4));
    assertThat(adamW.nextLearningRate()).isCloseTo(lr1, within(1e-15));
    double p0 = p[0];
    adamW.step(p, g);
    // the same gradient twice: m̂ = g, v̂ = g² again
    assertThat((double) p[0])
        .isCloseTo(p0 * (1 - lr1 * wd) - lr1 * 0.1 / (0.1 + 1e-8), within(1e-6));
  }

  @Test
  void withTheDefaultsAdamIsBitForBitThePapersAndAScheduleResumesFromItsState() {
    int n = 50;
    boolean[] mask = new boolean[n];
    mask[7] = true;
    Adam plain = new Adam(n, 1e-3, mask);
    Adam same = new Adam(n, 1e-3, mask).withSchedule(LearningRateSchedule.CONSTANT, 0);
    LearningRateSchedule cosine = new LearningRateSchedule(LearningRateSchedule.Kind.COSINE, 2, 6);
    Adam scheduled = new Adam(n, 1e-3, mask).withSchedule(cosine, 0.05);
    float[] a = random(n, 1);
    float[] b = a.clone();
    float[] c = a.clone();
    Adam.State atThree = null;
    float[] cAtThree = null;
    for (int t = 0; t < 6; t++) {
      float[] g = random(n, 100 + t);
      plain.step(a, g);
      same.step(b, g);
      scheduled.step(c, g);
      if (t == 2) {
        atThree = scheduled.state();
        cAtThree = c.clone();
      }
    }
    assertThat(b).containsExactly(a);
    assertThat(c).isNotEqualTo(a);
    // a fresh optimizer restored from the state after 3 steps continues the same curve
    Adam resumed = new Adam(n, 1e-3, mask).withSchedule(cosine, 0.05);
    resumed.restore(atThree);
    for (int t = 3; t < 6; t++) {
      resumed.step(cAtThree, random(n, 100 + t));
    }
    assertThat(cAtThree).containsExactly(c);
  }

  /** Records the gradients it is given. */
  private static final class Recorder implements Optimizer {
    final List<float[]> seen = new ArrayList<>();

    @Override
    public void step(float[] params, float[] gradient) {
      seen.add(gradient.clone());
    }

    @Override
    public long steps() {
      return seen.size();
    }

    @Override
    public Adam.State state() {
      return new Adam.State(seen.size(), new float[0], new float[0]);
    }

    @Override
    public void restore(Adam.State state) {}

    @Override
    public void reset(int from, int to) {}
  }

  @Test
  void clippingScalesTheGradientToTheMaximumNormAndLeavesStatisticsAlone() {
    boolean[] mask = {false, false, true};
    Recorder inner = new Recorder();
    GradientClipping clip = new GradientClipping(inner, 1.0, mask);
    float[] g = {3f, 4f, 100f}; // norm 5 over the optimised positions; 100 is a statistic delta
    clip.step(new float[3], g);
    float[] seen = inner.seen.get(0);
    assertThat(clip.lastNorm()).isCloseTo(5, within(1e-12));
    assertThat(Math.hypot(seen[0], seen[1])).isCloseTo(1.0, within(1e-6));
    assertThat(seen[0] / seen[1]).isCloseTo(0.75f, within(1e-6f));
    assertThat(seen[2]).isEqualTo(100f);
    assertThat(g).containsExactly(3f, 4f, 100f);
    // below the maximum: passed on unchanged
    float[] small = {0.3f, 0.4f, 7f};
    clip.step(new float[3], small);
    assertThat(inner.seen.get(1)).containsExactly(0.3f, 0.4f, 7f);
    assertThatThrownBy(() -> new GradientClipping(inner, 0, mask))
        .hasMessageContaining("'grad-clip'");
  }

  @Test
  void aRunsOptimizerHasItsOptionsAndTheDefaultsGiveThePlainAdam() {
    ImageSet set = TrainerResumeTest.synthetic(8);
    TrainConfig paper = TrainerResumeTest.config(Map.of());
    var model = Methods.build(paper, set);
    assertThat(Optimizers.forRun(model, paper, 10)).isInstanceOf(Adam.class);
    TrainConfig options =
        TrainerResumeTest.config(
            Map.of(
                "lr-schedule",
                "cosine",
                "warmup-steps",
                "2",
                "weight-decay",
                "0.05",
                "grad-clip",
                "1"));
    Optimizer o = Optimizers.forRun(model, options, 10);
    assertThat(o).isInstanceOf(GradientClipping.class);
    assertThatThrownBy(
            () ->
                Optimizers.forRun(
                    model, TrainerResumeTest.config(Map.of("warmup-steps", "11")), 10))
        .hasMessageContaining("'warmup-steps'");
  }

  private static float[] random(int n, long seed) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] x = new float[n];
    for (int i = 0; i < n; i++) {
      x[i] = (float) r.nextGaussian();
    }
    return x;
  }
}

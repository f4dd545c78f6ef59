package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.DoublePrecision;
import org.relreason.model.io.SafeTensors;
import org.relreason.model.nn.FocalLoss;
import org.relreason.model.nn.PairPlan;

/**
 * relreason's learning step against PyTorch, step by step, on fixtures written by {@code
 * bench/parity_fixture.py} (real Fashion-MNIST views through torchvision's augmentation, float64
 * arithmetic): Conv-4 with each aggregation and ResNet-32 with cat, each on the fast native path
 * (fast backbone + native head) and on the Deeplearning4j graph path (graph backbone + DL4J head).
 * Checked: the pair plan exactly; the per-pair logits, the loss and every parameter's gradient to
 * 1e-4 relative; every parameter, batch-norm running statistics included, after 1 and 3 Adam steps
 * to 1e-5. No torch is needed at test time.
 */
@ExtendWith(DoublePrecision.class)
class TorchParityTest {
  static final Path DIR =
      Path.of(System.getProperty("relreason.parity.dir", "src/test/resources/parity"));
  static final double GRAD_RTOL = 1e-4;
  static final double WEIGHT_ATOL = 1e-5;

  static Stream<Arguments> cases() {
    List<Arguments> out = new ArrayList<>();
    for (String f : List.of("conv4-cat", "conv4-sum", "conv4-mean", "conv4-max", "resnet32-cat")) {
      out.add(Arguments.of(f, true));
      out.add(Arguments.of(f, false));
    }
    return out.stream();
  }

  @ParameterizedTest(name = "{0} fast={1}")
  @MethodSource("cases")
  void stepMatchesPyTorch(String fixture, boolean fast) throws IOException {
    TorchFixture f = TorchFixture.load(DIR.resolve(fixture + ".safetensors"));
    List<String> failures = run(f, fast, FocalLoss.focal(2, 0.5));
    assertThat(failures).as("%s on the %s path", fixture, fast ? "fast" : "graph").isEmpty();
  }

  /** The fixture check would catch a loss without the focal factor: it is sensitive, not lax. */
  @Test
  void aLossWithoutTheFocalFactorFails() throws IOException {
    TorchFixture f = TorchFixture.load(DIR.resolve("conv4-cat.safetensors"));
    List<String> failures = run(f, true, FocalLoss.focal(0, 0.5));
    assertThat(failures).anyMatch(s -> s.startsWith("conv4-cat.safetensors fast: loss"));
    assertThat(failures).anyMatch(s -> s.contains("grad/head_3_W"));
  }

  @Test
  void aFixtureOfTheWrongShapeIsRefusedNamingTheFieldAndBothShapes(@TempDir Path tmp)
      throws IOException {
    SafeTensors real = SafeTensors.read(DIR.resolve("conv4-cat.safetensors"));
    Map<String, SafeTensors.Tensor> tensors = new LinkedHashMap<>(real.tensors());
    tensors.put(
        "init/block2_conv_W",
        new SafeTensors.Tensor("F32", new long[] {16, 4, 3, 3}, new double[16 * 4 * 9]));
    Path bad = tmp.resolve("bad.safetensors");
    SafeTensors.write(bad, tensors, real.metadata());
    TorchFixture f = TorchFixture.load(bad);
    assertThatThrownBy(() -> f.model(true, FocalLoss.focal(2, 0.5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.safetensors")
        .hasMessageContaining("'init/block2_conv_W'")
        .hasMessageContaining("[16, 4, 3, 3]")
        .hasMessageContaining("[16, 8, 3, 3]");
  }

  /** Runs the fixture's three steps; returns one line per mismatch (empty when all agree). */
  static List<String> run(TorchFixture f, boolean fast, FocalLoss loss) {
    String tag = f.name + (fast ? " fast" : " graph");
    List<String> failures = new ArrayList<>();
    RelationalModel model = f.model(fast, loss);
    PairPlan plan = PairPlan.of(f.m, f.k);
    f.checkPlan(plan, failures);
    INDArray views = f.views();

    // logits of the first step: a training-mode forward has no side effect on the parameters
    INDArray logits =
        model
            .objective()
            .scorer()
            .forward(model.backbone().forward(views, true), plan, true, new PhaseTimer());
    double[] wantLogits = f.file.get("logits").values();
    TorchFixture.compare(
        tag + ": logits",
        new long[] {wantLogits.length},
        logits.reshape(logits.length()).toDoubleVector(),
        wantLogits,
        GRAD_RTOL,
        GRAD_RTOL * TorchFixture.scale(wantLogits),
        failures);

    Adam adam = new Adam((int) model.numParams(), 1e-3, model.statisticsMask());
    for (int step = 1; step <= 3; step++) {
      StepStats stats = model.computeGradients(views, plan);
      if (step == 1) {
        double want = f.file.get("loss").values()[0];
        TorchFixture.compare(
            tag + ": loss",
            new long[] {1},
            new double[] {stats.loss()},
            new double[] {want},
            GRAD_RTOL,
            0,
            failures);
        compareNamed(
            tag, "grad/", f, f.decode(model.gradients().toDoubleVector()), GRAD_RTOL, failures);
      }
      if (step > 1 && f.file.tensors().containsKey("grad" + step + "/head_3_b")) {
        // diagnostic fixtures (PARITY_DEBUG=1) also hold the later steps' gradients
        compareNamed(
            tag,
            "grad" + step + "/",
            f,
            f.decode(model.gradients().toDoubleVector()),
            GRAD_RTOL,
            failures);
      }
      float[] params = model.paramsVector();
      adam.step(params, model.gradientVector());
      model.setParams(params);
      if (step == 1 || step == 3) {
        compareNamed(
            tag, "step" + step + "/", f, f.decode(TorchFixture.toDouble(params)), 0, failures);
      }
    }
    return failures;
  }

  /**
   * Every fixture tensor under {@code prefix} against relreason's of the same name: gradients to
   * {@code rtol} relative (with a floor of rtol times the tensor's largest magnitude), weights
   * ({@code rtol = 0}) to {@link #WEIGHT_ATOL} absolute.
   */
  private static void compareNamed(
      String tag,
      String prefix,
      TorchFixture f,
      Map<String, double[]> ours,
      double rtol,
      List<String> failures) {
    int compared = 0;
    for (Map.Entry<String, SafeTensors.Tensor> e : f.file.tensors().entrySet()) {
      if (!e.getKey().startsWith(prefix)) {
        continue;
      }
      String key = e.getKey().substring(prefix.length());
      double[] got = ours.get(key);
      if (got == null) {
        failures.add(tag + ": relreason has no parameter '" + key + "'");
        continue;
      }
      double[] want = e.getValue().values();
      double atol = rtol == 0 ? WEIGHT_ATOL : rtol * TorchFixture.scale(want);
      TorchFixture.compare(
          tag + ": " + e.getKey(), e.getValue().shape(), got, want, rtol, atol, failures);
      compared++;
    }
    if (compared == 0) {
      failures.add(tag + ": the fixture has no tensor under " + prefix);
    }
  }
}

package org.relreason.model.benchmark;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.TrainListener;

/**
 * A cell interrupted mid-training continues from its checkpoint on the next invocation, with the
 * real trainer on real Fashion-MNIST (a few images, seconds), and ends where an uninterrupted cell
 * ends.
 */
class BenchmarkResumeTest {
  private static final String FMNIST =
      System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist");
  private static final PaperReference NO_PAPER = new PaperReference("none", "", List.of());

  /** The kill: thrown after the step-2 checkpoint is on disk. */
  private static final class Killed extends RuntimeException {
    Killed() {
      super("killed after the step-2 checkpoint");
    }
  }

  private static GridSpec grid() {
    Map<String, String> s = new LinkedHashMap<>();
    s.put("data-dir", FMNIST);
    s.put("max-steps", "4");
    s.put("checkpoint-every", "2");
    s.put("m", "8");
    s.put("k", "2");
    s.put("width", "0.5");
    s.put("train-limit", "64");
    s.put("eval-train-limit", "200");
    s.put("eval-test-limit", "100");
    s.put("linear-epochs", "3");
    s.put("knn-k", "10");
    return GridSpec.of(Map.of("methods", "relational", "seeds", "3"), s);
  }

  @Test
  void anInterruptedCellResumesFromItsCheckpointAndEndsAsAnUninterruptedOne(@TempDir Path tmp)
      throws Exception {
    assertThat(Files.isDirectory(Path.of(FMNIST))).as("Fashion-MNIST in " + FMNIST).isTrue();
    List<Long> firstSteps = new ArrayList<>();
    boolean[] kill = {true};
    CellRunner killable =
        (config, listener) -> {
          TrainListener watch =
              new TrainListener() {
                boolean first = true;

                @Override
                public void onStep(StepReport r) {
                  if (first) {
                    firstSteps.add(r.globalStep());
                    first = false;
                  }
                }

                @Override
                public void onCheckpoint(Path file) {
                  if (kill[0] && file.getFileName().toString().contains("-2.")) {
                    throw new Killed();
                  }
                }
              };
          return CellRunner.SINGLE_PROCESS.run(config, TrainListener.both(listener, watch));
        };
    Path out = tmp.resolve("interrupted");
    BenchmarkReport broken =
        new BenchmarkRunner(grid(), out, killable, new BenchmarkListener() {}, "cmd", NO_PAPER)
            .run();
    assertThat(broken.failed()).isEqualTo(1);
    assertThat(broken.cells().get(0).error()).contains("killed after the step-2 checkpoint");

    kill[0] = false;
    BenchmarkReport resumed =
        new BenchmarkRunner(grid(), out, killable, new BenchmarkListener() {}, "cmd", NO_PAPER)
            .run();
    assertThat(firstSteps).containsExactly(1L, 3L); // the second run started after step 2
    CellResult r = resumed.cells().get(0);
    assertThat(r.done()).isTrue();
    assertThat(r.steps()).isEqualTo(4);

    BenchmarkReport straight =
        new BenchmarkRunner(
                grid(),
                tmp.resolve("straight"),
                CellRunner.SINGLE_PROCESS,
                new BenchmarkListener() {},
                "cmd",
                NO_PAPER)
            .run();
    // resuming is bit-exact (TrainerCheckpointTest), so the evaluation is the same to the last bit
    assertThat(r.metrics()).isEqualTo(straight.cells().get(0).metrics());
    assertThat(r.metrics()).containsKeys(GridProtocols.LINEAR_TOP1, GridProtocols.KNN_TOP1);
  }
}

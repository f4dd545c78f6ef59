package org.relreason.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.assertj.core.api.Assertions;
import picocli.CommandLine;

/**
 * One in-process run of the CLI as the command-line tests see it: the exit code, what went to
 * standard output and what picocli wrote to its error stream. Shared by the CLI tests so that they
 * all capture output the same way.
 */
record CliRun(int exit, String out, String err) {
  /**
   * The real Fashion-MNIST the end-to-end tests read (override with -Drelreason.fashionMnistDir).
   */
  static final String FMNIST =
      System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist");

  /** Runs {@link Main#commandLine()} on exactly these arguments, capturing stdout and stderr. */
  static CliRun run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      int code = cl.execute(args);
      return new CliRun(code, out.toString(StandardCharsets.UTF_8), err.toString());
    } finally {
      System.setOut(saved);
    }
  }

  /**
   * Runs a command that starts a dashboard with {@code --dashboard-port 0} appended unless the
   * arguments choose a port: tests run in parallel on a shared machine, so never the fixed default.
   */
  static CliRun runWithoutFixedDashboard(String... args) {
    if (List.of(args).contains("--dashboard-port")) {
      return run(args);
    }
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--dashboard-port", "0"));
    return run(all.toArray(String[]::new));
  }

  /** {@code eval} of a checkpoint with small train/test limits and two linear epochs. */
  static CliRun evalTiny(Path checkpoint, int trainLimit) {
    return run(
        "eval",
        "--checkpoint",
        checkpoint.toString(),
        "--eval-train-limit",
        Integer.toString(trainLimit),
        "--eval-test-limit",
        "100",
        "--linear-epochs",
        "2");
  }

  /**
   * A 3-step {@code train} on 64 Fashion-MNIST images at width 0.5 with a small evaluation and no
   * dashboard on the fixed port, {@code extra} flags appended; asserts it exits 0 and returns the
   * result file {@code dir/name.json}.
   */
  static JsonNode trainTiny(Path dir, String name, String... extra) throws IOException {
    Path result = dir.resolve(name + ".json");
    List<String> args =
        new ArrayList<>(
            List.of(
                "train",
                "--data-dir",
                FMNIST,
                "--max-steps",
                "3",
                "--width",
                "0.5",
                "--train-limit",
                "64",
                "--eval-train-limit",
                "200",
                "--eval-test-limit",
                "100",
                "--linear-epochs",
                "3",
                "--knn-k",
                "10",
                "--result-file",
                result.toString()));
    args.addAll(List.of(extra));
    CliRun r = runWithoutFixedDashboard(args.toArray(String[]::new));
    Assertions.assertThat(r.exit()).as(r.err()).isZero();
    return new ObjectMapper().readTree(result.toFile());
  }
}

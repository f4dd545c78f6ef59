package org.relreason.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
}

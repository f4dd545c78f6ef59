package org.relreason.cli;

import java.io.PrintWriter;
import org.relreason.dashboard.Dashboards;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The single entry point of relreason: {@code train}, {@code eval}, {@code bench}, {@code
 * benchmark}.
 */
@Command(
    name = "relreason",
    mixinStandardHelpOptions = true,
    version = "relreason 0.1.0",
    description =
        "Self-supervised relational reasoning (Patacchiola & Storkey, NeurIPS 2020) on Deeplearning4j.",
    subcommands = {
      TrainCommand.class,
      EvalCommand.class,
      BenchCommand.class,
      BenchmarkCommand.class,
      DataCommand.class,
      PresetsCommand.class,
      ExportCommand.class,
      EmbedCommand.class,
      CommandLine.HelpCommand.class
    })
public final class Main implements Runnable {

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  /** The configured command line (also used by tests). */
  public static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new Main());
    ConfigOptions.addTo(cl.getSubcommands().get("train").getCommandSpec());
    // the parameter server's roles on a Hazelcast-clustered event bus (see README)
    cl.addSubcommand(
        "coordinator", new ClusterMain.CoordinatorRole().dashboard(Dashboards.launcher()));
    cl.addSubcommand("worker", new ClusterMain.WorkerRole());
    cl.setExecutionExceptionHandler(
        (e, cmd, parse) -> {
          // a bad input is a message, not a stack trace
          PrintWriter err = cmd.getErr();
          err.println("relreason: " + describe(e));
          if (Boolean.getBoolean("relreason.stacktrace")) {
            e.printStackTrace(err);
          }
          err.flush();
          return 2;
        });
    return cl;
  }

  /** The message, followed by the root cause's when a library wrapped it (DL4J does). */
  static String describe(Throwable e) {
    String msg = e.getMessage();
    String text = msg == null || msg.isBlank() ? e.getClass().getSimpleName() : msg;
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
      text += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return text;
  }

  @Override
  public void run() {
    CommandLine.usage(this, System.out);
  }
}

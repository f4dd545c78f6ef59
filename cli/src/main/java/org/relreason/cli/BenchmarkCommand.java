package org.relreason.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.relreason.dashboard.BenchmarkWatch;
import org.relreason.dashboard.RunWatch;
import org.relreason.model.benchmark.BenchmarkListener;
import org.relreason.model.benchmark.BenchmarkReport;
import org.relreason.model.benchmark.BenchmarkRunner;
import org.relreason.model.benchmark.Cell;
import org.relreason.model.benchmark.CellResult;
import org.relreason.model.benchmark.CellRunner;
import org.relreason.model.benchmark.GridSpec;
import org.relreason.model.config.ConfigException;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.run.TrainJob;
import org.relreason.model.train.Nd4jInfo;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.DashboardOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code benchmark}: a grid of {@code train} runs, resumable, aggregated over seeds. */
@Command(
    name = "benchmark",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a grid of pre-training runs (methods x backbones x datasets x seeds), evaluates each"
          + " under the grid's protocols, and writes OUT/results.json and OUT/results.md (mean +-"
          + " std over seeds, the paper's number beside each cell).",
      "Each cell runs in OUT/cells/<cell>/; a re-run skips finished cells and resumes"
          + " interrupted ones from their checkpoints; a cell saved with other settings is refused.",
      "Lists given as flags replace those of --grid; --set overrides its settings key by key."
    })
final class BenchmarkCommand implements Callable<Integer> {
  private static final Logger LOG = LoggerFactory.getLogger(BenchmarkCommand.class);
  private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./=,:@%+-]+");

  @Spec CommandSpec spec;

  @Option(
      names = "--grid",
      paramLabel = "FILE",
      description =
          "JSON grid: {\"methods\": [...], \"backbones\": [...], \"datasets\": [...], \"seeds\": [...],"
              + " \"protocols\": [...], \"widths\": [...], \"probes\": [...], \"layers\":"
              + " \"last|all\", \"settings\": {train config keys}}")
  Path gridFile;

  @Option(
      names = "--methods",
      paramLabel = "LIST",
      description =
          "comma-separated methods (relational, supervised, simclr, rotation, deepcluster, random)")
  String methods;

  @Option(names = "--backbones", paramLabel = "LIST", description = "backbones (default: conv4)")
  String backbones;

  @Option(
      names = "--datasets",
      paramLabel = "LIST",
      description = "datasets (default: fashion-mnist)")
  String datasets;

  @Option(names = "--seeds", paramLabel = "LIST", description = "seeds (default: 1)")
  String seeds;

  @Option(
      names = "--protocols",
      paramLabel = "LIST",
      description =
          "evaluation protocols: linear (linear evaluation + kNN monitor; the default),"
              + " finetune, fractions, retrieval, embedding (as eval --protocol, on the cell's"
              + " dataset and backbone)")
  String protocols;

  @Option(
      names = "--widths",
      paramLabel = "LIST",
      description = "backbone width multipliers k, a cell per width (default: 1)")
  String widths;

  @Option(
      names = "--probes",
      paramLabel = "LIST",
      description =
          "probes of the linear protocol, each on the same features of a cell: lbfgs, adam, sgd,"
              + " mlp (default: adam, the paper's; the first gives linear_top1)")
  String probes;

  @Option(
      names = "--layers",
      paramLabel = "last|all",
      description = "all = also each probe on each block's pooled output (default: last)")
  String layers;

  @Option(
      names = "--set",
      paramLabel = "KEY=VALUE",
      description =
          "a train config key shared by every cell (repeatable), e.g. --set max-steps=200;"
              + " checkpoint-every defaults to "
              + GridSpec.DEFAULT_CHECKPOINT_EVERY)
  List<String> sets = new ArrayList<>();

  @Option(
      names = "--out",
      paramLabel = "DIR",
      defaultValue = "benchmark",
      description = "output directory (default: ${DEFAULT-VALUE})")
  Path out;

  @Mixin DashboardOptions dashboard = new DashboardOptions();

  @Override
  public Integer call() throws Exception {
    GridSpec grid = GridSpec.read(gridFile, lists(), settings());
    DashboardAccess access = dashboard.access(); // refuses a bad dashboard before any work
    String command = command(spec.commandLine().getParseResult().originalArgs());
    BenchmarkRunner planCheck =
        new BenchmarkRunner(grid, out, CELL_RUNNER, new BenchmarkListener() {}, command, null);
    planCheck.plan(); // every cell's configuration, before the dashboard or any cell starts
    LOG.info(Nd4jInfo.line());
    int cells = grid.cells().size();
    BenchmarkWatch watch =
        access.enabled()
            ? BenchmarkWatch.start(
                access, flat(grid.describe()), String.join(", ", grid.datasets()), cells)
            : null;
    try {
      if (watch != null) {
        System.out.println("dashboard: " + watch.url());
      }
      BenchmarkListener console = new Console();
      BenchmarkRunner runner =
          new BenchmarkRunner(
              grid,
              out,
              CELL_RUNNER,
              watch == null ? console : BenchmarkListener.both(console, watch),
              command,
              PaperReference.load());
      BenchmarkReport r = runner.run();
      System.out.printf(
          Locale.ROOT,
          "benchmark: %d cells (%d computed, %d reused, %d failed) in %.1f s; %s, %s%n",
          r.cells().size(),
          r.computed(),
          r.reused(),
          r.failed(),
          r.totalSeconds(),
          out.resolve("results.md"),
          out.resolve("results.json"));
      return r.failed() > 0 ? 1 : 0;
    } finally {
      if (watch != null) {
        watch.close();
      }
    }
  }

  /**
   * One cell as {@code train} runs it: the embedded parameter server when the cell's {@code
   * workers} &gt; 0 (which refuses, naming the key, a method it cannot run), else one process; a
   * progress bar per epoch on stderr.
   */
  static final CellRunner CELL_RUNNER =
      (config, listener) -> {
        try (RunWatch watch = RunWatch.start(config, null, "127.0.0.1", 0);
            ProgressReporter progress = new ProgressReporter()) {
          return TrainJob.run(
              config,
              TrainListener.both(TrainListener.both(progress, listener), watch.listener()),
              Pretraining.watched(config, watch));
        }
      };

  private Map<String, String> lists() {
    Map<String, String> m = new LinkedHashMap<>();
    put(m, "methods", methods);
    put(m, "backbones", backbones);
    put(m, "datasets", datasets);
    put(m, "seeds", seeds);
    put(m, "protocols", protocols);
    put(m, "widths", widths);
    put(m, "probes", probes);
    put(m, "layers", layers);
    return m;
  }

  private static void put(Map<String, String> m, String key, String value) {
    if (value != null) {
      m.put(key, value);
    }
  }

  private Map<String, String> settings() {
    Map<String, String> m = new LinkedHashMap<>();
    for (String s : sets) {
      int eq = s.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            "--set '" + s + "': expected KEY=VALUE, e.g. --set max-steps=200");
      }
      m.put(s.substring(0, eq).trim(), s.substring(eq + 1).trim());
    }
    return m;
  }

  private static Map<String, String> flat(Map<String, Object> grid) {
    Map<String, String> m = new LinkedHashMap<>();
    grid.forEach(
        (k, v) -> {
          if (v instanceof Map<?, ?> map) {
            map.forEach((kk, vv) -> m.put(String.valueOf(kk), String.valueOf(vv)));
          } else {
            m.put(k, String.valueOf(v).replace("[", "").replace("]", ""));
          }
        });
    return m;
  }

  /**
   * The command line as a shell would take it back ({@code args} are the program's arguments,
   * starting with the subcommand's name).
   */
  static String command(List<String> args) {
    StringBuilder b = new StringBuilder("relreason");
    for (String a : args) {
      b.append(' ').append(PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    return b.toString();
  }

  /** One line per cell on stdout. */
  private static final class Console implements BenchmarkListener {
    @Override
    public void cellFinished(Cell cell, CellResult r, int index, int total) {
      String what;
      if (!r.done()) {
        what = "FAILED: " + r.error();
      } else {
        what =
            String.format(
                Locale.ROOT,
                "linear top-1 %s, kNN top-1 %s (%.1f s%s)",
                fmt(r.metrics().get("linear_top1")),
                fmt(r.metrics().get("knn_top1")),
                r.wallSeconds(),
                r.reused() ? ", finished earlier: not recomputed" : "");
      }
      System.out.printf(Locale.ROOT, "cell %d/%d %s: %s%n", index + 1, total, cell.name(), what);
    }

    private static String fmt(Double v) {
      return v == null ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }
  }
}

package org.relreason.model.benchmark;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.relreason.model.ResultJson;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.eval.PaperReference;
import org.relreason.model.run.TrainResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link GridSpec} cell after cell under {@code OUT/cells/<cell>/}: {@code config.json} (the
 * cell's full configuration), {@code checkpoints/}, {@code train-result.json} (the {@code train}
 * result) and {@code result.json} (the {@link CellResult}), each written to a temporary file and
 * renamed. After every cell it rewrites {@code OUT/results.json} and {@code OUT/results.md}.
 *
 * <p>Resuming: a cell whose {@code result.json} says done is not recomputed; any other cell runs,
 * and the trainer resumes it from its newest checkpoint if it was interrupted. A cell whose saved
 * {@code config.json} differs from what the grid now asks for (other than paths and view-building
 * threads) is refused before any cell runs, naming the cell and the keys: its checkpoints and
 * result belong to another experiment, and silently recomputing would hide that. Delete the cell's
 * directory (or use another output directory) to recompute it. A cell that throws is recorded as
 * failed with its error and the grid goes on; the next invocation tries it again.
 */
public final class BenchmarkRunner {
  private static final Logger LOG = LoggerFactory.getLogger(BenchmarkRunner.class);

  /** Config keys that may differ between a saved cell and the request. */
  static final Set<String> IGNORED_KEYS =
      Set.of("checkpoint-dir", "result-file", "augment-threads");

  private final GridSpec spec;
  private final Path out;
  private final CellRunner runner;
  private final BenchmarkListener listener;
  private final String command;
  private final PaperReference paper;

  /**
   * @param spec the grid
   * @param out the output directory
   * @param runner what runs one cell
   * @param listener progress
   * @param command the command line, for the report's header
   * @param paper the paper's numbers
   */
  public BenchmarkRunner(
      GridSpec spec,
      Path out,
      CellRunner runner,
      BenchmarkListener listener,
      String command,
      PaperReference paper) {
    this.spec = spec;
    this.out = out.toAbsolutePath();
    this.runner = runner;
    this.listener = listener;
    this.command = command;
    this.paper = paper;
  }

  /** The directory of a cell. */
  public Path cellDir(Cell cell) {
    return out.resolve("cells").resolve(cell.name());
  }

  /**
   * Every cell's configuration, validated, and checked against what earlier runs saved.
   *
   * @throws ConfigException naming the cell and key when a configuration is invalid or differs
   */
  public Map<Cell, TrainConfig> plan() throws IOException {
    Map<Cell, TrainConfig> plan = new LinkedHashMap<>();
    for (Cell cell : spec.cells()) {
      plan.put(cell, spec.config(cell, cellDir(cell)));
    }
    for (Map.Entry<Cell, TrainConfig> e : plan.entrySet()) {
      Path saved = cellDir(e.getKey()).resolve("config.json");
      if (Files.isRegularFile(saved)) {
        List<String> diff = differences(readConfig(saved), e.getValue().asMap());
        if (!diff.isEmpty()) {
          throw new ConfigException(
              "cell "
                  + e.getKey().name()
                  + ": "
                  + saved
                  + " was written for another configuration ("
                  + String.join(", ", diff)
                  + "); delete "
                  + cellDir(e.getKey())
                  + " to recompute it, or choose another output directory");
        }
      }
    }
    return plan;
  }

  static List<String> differences(Map<String, String> saved, Map<String, String> wanted) {
    Set<String> keys = new LinkedHashSet<>(new TreeMap<>(saved).keySet());
    keys.addAll(new TreeMap<>(wanted).keySet());
    List<String> diff = new ArrayList<>();
    // A cell saved before a key existed was computed with that key's default.
    Map<String, String> defaults = TrainConfig.defaults().asMap();
    for (String k : keys) {
      String was = saved.containsKey(k) ? saved.get(k) : defaults.get(k);
      if (!IGNORED_KEYS.contains(k) && !java.util.Objects.equals(was, wanted.get(k))) {
        diff.add("'" + k + "' saved " + was + ", requested " + wanted.get(k));
      }
    }
    return diff;
  }

  /** Runs the grid; returns the final report (also in {@code results.json}/{@code .md}). */
  public BenchmarkReport run() throws IOException {
    Map<Cell, TrainConfig> plan = plan();
    Files.createDirectories(out);
    Instant started = Instant.now();
    long t0 = System.nanoTime();
    List<CellResult> results = new ArrayList<>();
    List<Cell> cells = new ArrayList<>();
    int total = plan.size();
    int index = 0;
    int computed = 0;
    int reused = 0;
    int failed = 0;
    BenchmarkReport report = null;
    for (Map.Entry<Cell, TrainConfig> e : plan.entrySet()) {
      Cell cell = e.getKey();
      CellResult r = finished(cell);
      if (r != null) {
        r = r.asReused();
        reused++;
        LOG.info("cell {}/{} {}: finished earlier, not recomputed", index + 1, total, cell.name());
      } else {
        r = compute(cell, e.getValue(), index, total);
        computed++;
        if (!r.done()) {
          failed++;
        }
      }
      results.add(r);
      cells.add(cell);
      listener.cellFinished(cell, r, index, total);
      index++;
      report =
          report(
              started,
              (System.nanoTime() - t0) / 1e9,
              index == total,
              computed,
              reused,
              failed,
              results);
      write(report);
      BenchmarkFigures.write(spec, cells, results, out);
    }
    if (report == null) {
      report = report(started, 0, true, 0, 0, 0, results);
      write(report);
    }
    return report;
  }

  private CellResult compute(Cell cell, TrainConfig config, int index, int total)
      throws IOException {
    Path dir = cellDir(cell);
    Files.createDirectories(dir);
    ResultJson.write(config.asMap(), dir.resolve("config.json"));
    LOG.info("cell {}/{} {}: running", index + 1, total, cell.name());
    long t0 = System.nanoTime();
    CellResult r;
    try {
      TrainResult trained = runner.run(config, listener.cellStarted(cell, index, total));
      ResultJson.write(trained, dir.resolve("train-result.json"));
      Map<String, Double> metrics = new LinkedHashMap<>();
      for (String p : spec.protocols()) {
        metrics.putAll(GridProtocols.get(p).evaluate(config, trained, dir));
      }
      r =
          new CellResult(
              cell.name(),
              cell.method().id(),
              cell.backboneLabel(),
              cell.dataset(),
              cell.seed(),
              CellResult.DONE,
              null,
              metrics,
              trained.steps(),
              trained.trainSeconds(),
              trained.evalSeconds(),
              (System.nanoTime() - t0) / 1e9,
              now(),
              false);
    } catch (Exception | LinkageError | AssertionError | OutOfMemoryError | StackOverflowError e) {
      // a cell's failure (bad data, a refused setting, a backbone too big for the memory, a
      // missing native) is the cell's, not the grid's: record it and go on; its objects are
      // garbage once this method returns
      LOG.warn("cell {} failed", cell.name(), e);
      r =
          new CellResult(
              cell.name(),
              cell.method().id(),
              cell.backboneLabel(),
              cell.dataset(),
              cell.seed(),
              CellResult.FAILED,
              describe(e),
              Map.of(),
              null,
              null,
              null,
              (System.nanoTime() - t0) / 1e9,
              now(),
              false);
    }
    ResultJson.write(r, dir.resolve("result.json"));
    return r;
  }

  /** The message of an error and of its root cause. */
  static String describe(Throwable e) {
    String text = e.getClass().getSimpleName() + ": " + e.getMessage();
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (root != e && root.getMessage() != null && !text.contains(root.getMessage())) {
      text += " (caused by " + root.getClass().getSimpleName() + ": " + root.getMessage() + ")";
    }
    return text;
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  /** The cell's saved result when it finished, else null (absent, failed or unreadable). */
  private CellResult finished(Cell cell) {
    Path file = cellDir(cell).resolve("result.json");
    if (!Files.isRegularFile(file)) {
      return null;
    }
    try {
      CellResult r = ResultJson.mapper().readValue(file.toFile(), CellResult.class);
      return r.done() && r.cell().equals(cell.name()) ? r : null;
    } catch (IOException e) {
      LOG.warn("{} is unreadable ({}); the cell is recomputed", file, e.getMessage());
      return null;
    }
  }

  private BenchmarkReport report(
      Instant started,
      double seconds,
      boolean complete,
      int computed,
      int reused,
      int failed,
      List<CellResult> results) {
    List<Cell.Group> groups = new ArrayList<>();
    for (String d : spec.datasets()) {
      for (var b : spec.backbones()) {
        for (Double w :
            spec.widths().isEmpty()
                ? java.util.Collections.<Double>singletonList(null)
                : spec.widths()) {
          for (var m : spec.methods()) {
            groups.add(new Cell(m, b, d, 0, w).group());
          }
        }
      }
    }
    List<String> base =
        spec.protocols().contains(GridProtocols.LINEAR.id())
            ? List.of(GridProtocols.LINEAR_TOP1, GridProtocols.KNN_TOP1)
            : List.of();
    return new BenchmarkReport(
        command,
        started.truncatedTo(ChronoUnit.SECONDS).toString(),
        seconds,
        complete,
        computed,
        reused,
        failed,
        spec.describe(),
        paper.source(),
        results,
        Aggregates.of(groups, results, base, paper));
  }

  private void write(BenchmarkReport report) throws IOException {
    ResultJson.write(report, out.resolve("results.json"));
    Path md = out.resolve("results.md");
    Path tmp = md.resolveSibling("results.md.tmp");
    Files.writeString(tmp, ResultsTable.markdown(report));
    Files.move(tmp, md, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Map<String, String> readConfig(Path file) throws IOException {
    ObjectMapper m = new ObjectMapper();
    try {
      return m.readValue(file.toFile(), new TypeReference<Map<String, String>>() {});
    } catch (IOException e) {
      throw new ConfigException(
          file + " is not a readable cell configuration: " + e.getMessage(), e);
    }
  }
}

package org.relreason.dashboard;

import io.vertx.core.Vertx;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.relreason.model.benchmark.BenchmarkListener;
import org.relreason.model.benchmark.Cell;
import org.relreason.model.benchmark.CellResult;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.ParamsSource;
import org.relreason.observe.Registries;
import org.relreason.observe.RunObserver;

/**
 * The live dashboard of a {@code benchmark}: one page for the whole grid. The step charts follow
 * the cell that is running; the evaluation table gets one row per cell and protocol (e.g. {@code
 * linear relational-conv4-fashion-mnist-s1}) as soon as that score is known, and the rows of cells
 * finished by an earlier run when the grid reaches them. Retrieval is not offered (there is no one
 * model to retrieve with).
 */
public final class BenchmarkWatch implements BenchmarkListener, AutoCloseable {
  private final DashboardState state;
  private final Vertx vertx = Vertx.vertx();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private DashboardVerticle dashboard;

  private BenchmarkWatch(Map<String, String> grid, String datasets, int cells) {
    state =
        new DashboardState(
            grid,
            datasets,
            String.format(Locale.ROOT, "benchmark, %d cells, single process", cells));
    state.onRunState(RunObserver.RunState.RUNNING);
  }

  /**
   * Starts the dashboard.
   *
   * @param access where it listens
   * @param grid what the configuration table shows (the grid's lists and shared settings)
   * @param datasets the grid's datasets (the page's dataset label)
   * @param cells cells in the grid
   */
  public static BenchmarkWatch start(
      DashboardAccess access, Map<String, String> grid, String datasets, int cells) {
    BenchmarkWatch w = new BenchmarkWatch(grid, datasets, cells);
    try {
      w.dashboard =
          new DashboardVerticle(
              access,
              w.state,
              Registries.withJvmMetrics(),
              w.running::get,
              ParamsSource.NONE,
              () -> {
                throw new IllegalStateException("retrieval is not offered by a benchmark");
              });
      w.vertx.deployVerticle(w.dashboard).await();
      return w;
    } catch (RuntimeException e) {
      w.close();
      throw e;
    }
  }

  /** What the page shows. */
  public DashboardState state() {
    return state;
  }

  /** The page's address (with the token, if any). */
  public String url() {
    return dashboard.url();
  }

  /** The bound port. */
  public int port() {
    return dashboard.actualPort();
  }

  /** The label of a cell's score in the evaluation table. */
  static String label(String protocol, Cell cell) {
    return protocol + " " + cell.name();
  }

  @Override
  public TrainListener cellStarted(Cell cell, int index, int total) {
    TrainListener steps = state.trainListener(true);
    return new TrainListener() {
      @Override
      public void onStep(StepReport report) {
        steps.onStep(report);
      }

      @Override
      public void onEvaluation(String protocol, String dataset, double top1) {
        state.evaluation(label(protocol, cell), dataset, top1);
      }
    };
  }

  @Override
  public void cellFinished(Cell cell, CellResult result, int index, int total) {
    if (result.reused()) {
      // computed cells reported their scores while they ran; these come from disk
      result
          .metrics()
          .forEach(
              (metric, v) ->
                  state.evaluation(label(metric.replace("_top1", ""), cell), cell.dataset(), v));
    }
    if (index + 1 == total) {
      running.set(false);
      state.onRunState(RunObserver.RunState.FINISHED);
    }
  }

  /** Stops the dashboard. */
  @Override
  public void close() {
    vertx.close().await();
  }
}

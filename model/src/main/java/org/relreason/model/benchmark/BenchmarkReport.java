package org.relreason.model.benchmark;

import java.util.List;
import java.util.Map;

/**
 * Everything a benchmark run produced, as written to {@code results.json} (snake_case names): the
 * command, the timing, the grid, every cell and the aggregates over seeds.
 *
 * @param command the exact command line
 * @param startedAt when this invocation started (ISO-8601, UTC)
 * @param totalSeconds wall time of this invocation so far
 * @param complete whether every cell has been attempted (false while the grid is running)
 * @param computed cells computed by this invocation (finished or failed)
 * @param reused cells found finished on disk and not recomputed
 * @param failed cells that failed in this invocation
 * @param grid the grid (lists and shared settings)
 * @param paperSource where the paper's numbers come from
 * @param cells every cell attempted so far, in grid order
 * @param aggregates mean and standard deviation over seeds
 */
public record BenchmarkReport(
    String command,
    String startedAt,
    double totalSeconds,
    boolean complete,
    int computed,
    int reused,
    int failed,
    Map<String, Object> grid,
    String paperSource,
    List<CellResult> cells,
    List<Aggregates.Aggregate> aggregates) {
  public BenchmarkReport {
    cells = List.copyOf(cells);
    aggregates = List.copyOf(aggregates);
  }
}

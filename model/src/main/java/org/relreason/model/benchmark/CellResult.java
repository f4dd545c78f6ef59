package org.relreason.model.benchmark;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.TreeMap;

/**
 * What one cell produced, as written to {@code OUT/cells/<cell>/result.json}: the scores of every
 * protocol when it finished, or the error that stopped it.
 *
 * @param cell the cell's name ({@link Cell#name()})
 * @param method method id
 * @param backbone backbone label: its id, with " x<k>" for a width k other than 1 ({@link
 *     Cell#backboneLabel()})
 * @param dataset dataset name
 * @param seed seed
 * @param status {@link #DONE} or {@link #FAILED}
 * @param error what went wrong (null when done)
 * @param metrics scores by metric name, fractions in [0, 1] (empty when failed)
 * @param steps pre-training steps in total (null when failed)
 * @param trainSeconds pre-training wall time of the run that finished it (a resumed cell counts
 *     only the resumed part)
 * @param evalSeconds evaluation wall time
 * @param wallSeconds the cell's whole wall time in the run that computed it
 * @param finishedAt when it finished (ISO-8601, UTC)
 * @param reused true when this run found the cell finished and did not recompute it (not stored in
 *     the cell's file)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CellResult(
    String cell,
    String method,
    String backbone,
    String dataset,
    long seed,
    String status,
    String error,
    Map<String, Double> metrics,
    Long steps,
    Double trainSeconds,
    Double evalSeconds,
    double wallSeconds,
    String finishedAt,
    boolean reused) {
  /** A finished cell. */
  public static final String DONE = "done";

  /** A cell that threw. */
  public static final String FAILED = "failed";

  public CellResult {
    metrics = metrics == null ? Map.of() : new TreeMap<>(metrics);
  }

  /** Whether the cell finished with scores. */
  public boolean done() {
    return DONE.equals(status);
  }

  /** The same result marked as found on disk by this run. */
  public CellResult asReused() {
    return new CellResult(
        cell,
        method,
        backbone,
        dataset,
        seed,
        status,
        error,
        metrics,
        steps,
        trainSeconds,
        evalSeconds,
        wallSeconds,
        finishedAt,
        true);
  }

  /** The aggregation group. */
  public Cell.Group group() {
    return new Cell.Group(method, backbone, dataset);
  }
}

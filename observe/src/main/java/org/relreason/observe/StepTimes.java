package org.relreason.observe;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The wall time of one parameter-server step by phase, in seconds (the {@code phase} label of
 * {@code relreason_step_phase_duration_seconds}).
 *
 * @param plan choosing the minibatch and shards and building the tasks
 * @param compute tasks sent until the first shard result is accepted (workers computing; in VIEWS
 *     mode this includes the coordinator's relation head and loss)
 * @param fanIn first accepted shard result until the last (stragglers, recomputed shards)
 * @param aggregate summing the shard gradients in shard order
 * @param optimizer Adam on the flat parameter vector
 * @param broadcast packing the new parameter version for the workers (they pull it with their next
 *     task)
 * @param total the whole step, plan to new parameter version (a due checkpoint comes after)
 */
public record StepTimes(
    double plan,
    double compute,
    double fanIn,
    double aggregate,
    double optimizer,
    double broadcast,
    double total) {

  /** Phase label to seconds, in step order. */
  public Map<String, Double> phases() {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("plan", plan);
    m.put("compute", compute);
    m.put("fan_in", fanIn);
    m.put("aggregate", aggregate);
    m.put("optimizer", optimizer);
    m.put("broadcast", broadcast);
    return m;
  }
}

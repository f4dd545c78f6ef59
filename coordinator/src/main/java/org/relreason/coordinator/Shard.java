package org.relreason.coordinator;

/**
 * One shard of a step.
 *
 * @param id shard number; results are summed in this order
 * @param positions IMAGES mode: positions in the minibatch of this shard's images (contiguous)
 * @param rows VIEWS mode: rows {@code v*M + n} of the minibatch's view-major view matrix
 *     (contiguous); empty in IMAGES mode
 */
public record Shard(int id, int[] positions, int[] rows) {}

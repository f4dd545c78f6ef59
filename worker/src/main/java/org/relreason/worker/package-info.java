/**
 * The parameter-server worker: {@link org.relreason.worker.WorkerVerticle} (event-bus wiring) over
 * {@link org.relreason.shard.ShardComputer} (the ND4J arithmetic of a shard, no Vert.x). The wire
 * helpers both roles share (headers, the batch-norm statistics layout) are in {@code protocol}, the
 * model-config hash in {@code shard}; the worker never depends on the coordinator.
 */
package org.relreason.worker;

/**
 * The parameter-server worker: {@link org.relreason.worker.WorkerVerticle} (event-bus wiring) over
 * {@link org.relreason.worker.ShardComputer} (the ND4J arithmetic of a shard, no Vert.x), plus the
 * small wire helpers both roles share (headers, the batch-norm statistics layout, the model-config
 * hash).
 */
package org.relreason.worker;

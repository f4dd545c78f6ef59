/**
 * What both roles of the parameter server agree on about one shard, with no Vert.x: the model a
 * shard's gradient is computed with ({@link org.relreason.shard.ShardComputer}, which the worker
 * runs and the coordinator builds its master model from), the hash of the model-defining config
 * keys a worker must match, and which configurations the parameter server trains ({@link
 * org.relreason.shard.ParameterServerSupport}). The worker and the coordinator depend on this
 * module and never on each other.
 */
package org.relreason.shard;

/**
 * The parameter-server coordinator: {@link org.relreason.coordinator.CoordinatorVerticle} (step
 * loop, membership, fan-in with deadlines), the pure {@link org.relreason.coordinator.ShardPlanner}
 * and {@link org.relreason.coordinator.GradientAggregator}. It depends on {@code protocol}, {@code
 * shard} and {@code observe}, never on the worker: the one-JVM mode that deploys both ({@code
 * EmbeddedRun}) and the clustered launcher ({@code ClusterMain}) are the CLI's wiring.
 */
package org.relreason.coordinator;

/**
 * The parameter-server coordinator: {@link org.relreason.coordinator.CoordinatorVerticle} (step
 * loop, membership, fan-in with deadlines), the pure {@link org.relreason.coordinator.ShardPlanner}
 * and {@link org.relreason.coordinator.GradientAggregator}, and {@link
 * org.relreason.coordinator.EmbeddedRun}, the one-JVM mode.
 */
package org.relreason.coordinator;

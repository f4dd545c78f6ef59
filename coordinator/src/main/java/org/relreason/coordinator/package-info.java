/**
 * The parameter-server coordinator. {@link org.relreason.coordinator.CoordinatorVerticle} only
 * routes messages and chains the step loop's futures; the parts do the work: {@link
 * org.relreason.coordinator.Registrar} (registration, heartbeats, goodbyes, eviction), {@link
 * org.relreason.coordinator.ShardDispatcher} (a step's shards through a {@link
 * org.relreason.coordinator.WorkerGateway}, with deadlines and recomputation), {@link
 * org.relreason.coordinator.FeatureExchange} (VIEWS mode's features and objective), {@link
 * org.relreason.coordinator.StepApplier} (aggregate, optimizer step, report, checkpoint), over the
 * plain-Java {@link org.relreason.coordinator.Membership}, {@link
 * org.relreason.coordinator.StepRound}, {@link org.relreason.coordinator.ShardPlanner}, {@link
 * org.relreason.coordinator.GradientAggregator}, {@link org.relreason.coordinator.ParameterStore}
 * and {@link org.relreason.coordinator.Checkpointer}. It depends on {@code protocol}, {@code shard}
 * and {@code observe}, never on the worker: the one-JVM mode that deploys both ({@code
 * EmbeddedRun}) and the clustered launcher ({@code ClusterMain}) are the CLI's wiring.
 */
package org.relreason.coordinator;

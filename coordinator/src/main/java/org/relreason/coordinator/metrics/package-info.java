/**
 * The coordinator's Prometheus metrics ({@code relreason_*}, the names of the shared contract that
 * the Grafana dashboard and the Kubernetes manifests are written against), fed by the coordinator's
 * {@link org.relreason.coordinator.RunObserver} hooks or, in the single-process trainer, by a
 * {@link org.relreason.model.train.TrainListener}.
 */
package org.relreason.coordinator.metrics;

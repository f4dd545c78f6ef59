/**
 * How a run is watched, by both roles and by the dashboard, without knowing either role: the
 * observer hooks ({@link org.relreason.observe.RunObserver} of the coordinator, {@link
 * org.relreason.observe.WorkerObserver} of a worker) and their Prometheus metrics ({@code
 * relreason_*}, the names the Grafana dashboard and the Kubernetes manifests are written against),
 * the {@link org.relreason.observe.Traffic} labels of message bytes, one registry per process role
 * (never the global default, so several roles in one JVM do not clash), a small Vert.x HTTP
 * endpoint serving {@code /metrics}, {@code /health/live} and {@code /health/ready}, the {@code
 * --metrics-*} and {@code --dashboard-*} options, and the read-only seams through which the
 * dashboard reads a run: {@link org.relreason.observe.ParamsSource} (the current parameters) and
 * {@link org.relreason.observe.DashboardLauncher}.
 */
package org.relreason.observe;

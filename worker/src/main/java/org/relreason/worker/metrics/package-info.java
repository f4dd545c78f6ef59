/**
 * Prometheus metrics shared by the parameter server's roles: the {@link
 * org.relreason.worker.metrics.Traffic} labels of message bytes, the worker's observer hook and its
 * Prometheus implementation, one registry per process role (never the global default, so several
 * roles in one JVM do not clash), and a small Vert.x HTTP endpoint serving {@code /metrics}, {@code
 * /health/live} and {@code /health/ready}.
 */
package org.relreason.worker.metrics;

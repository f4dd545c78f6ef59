/**
 * The live web dashboard of a run: {@link org.relreason.dashboard.DashboardVerticle} (Vert.x Web)
 * serves a page from this jar with Chart.js from its WebJar, the run's state as JSON, a stream of
 * server-sent events (steps, workers, evaluations), nearest-neighbour image retrieval with the
 * current backbone, and {@code /metrics}; {@link org.relreason.dashboard.DashboardState} collects
 * what the trainer or coordinator reports; {@link org.relreason.dashboard.RunWatch} wires both,
 * plus Prometheus, around a {@code train} run.
 */
package org.relreason.dashboard;

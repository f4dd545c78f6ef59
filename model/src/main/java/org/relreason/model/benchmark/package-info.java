/**
 * The {@code benchmark} command's engine: a grid of pre-training runs (methods × backbones ×
 * datasets × seeds, each evaluated under the grid's protocols) run one cell after another, each in
 * a directory of its own so that a re-run skips finished cells and resumes interrupted ones from
 * their checkpoints, then aggregated over seeds into {@code results.json} and a markdown table
 * beside the paper's numbers.
 *
 * <p>{@link org.relreason.model.benchmark.GridSpec} is the validated grid, {@link
 * org.relreason.model.benchmark.BenchmarkRunner} runs it through a {@link
 * org.relreason.model.benchmark.CellRunner} (the seam tests count invocations through), {@link
 * org.relreason.model.benchmark.Aggregates} computes mean and standard deviation over seeds and
 * {@link org.relreason.model.benchmark.ResultsTable} writes the markdown.
 */
package org.relreason.model.benchmark;

package org.relreason.model.train;

/**
 * Progress after one training step.
 *
 * @param epoch current epoch (0-based)
 * @param stepInEpoch step just completed within the epoch (0-based)
 * @param stepsPerEpoch steps in an epoch
 * @param globalStep steps completed in total
 * @param totalSteps steps the run will take in total
 * @param stats loss and pair accuracies of this step
 * @param viewsPerSecond training throughput since the run (or resume) started
 */
public record StepReport(
    int epoch,
    int stepInEpoch,
    int stepsPerEpoch,
    long globalStep,
    long totalSteps,
    StepStats stats,
    double viewsPerSecond) {}

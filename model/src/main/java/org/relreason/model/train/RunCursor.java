package org.relreason.model.train;

/**
 * Where a pre-training run is, and what the end of each step means: the epoch, the step in it and
 * the global step; when the method's start-of-epoch work is due; the epoch's running statistics and
 * when an epoch closes; the throughput since this process started stepping. The single-process
 * {@code Trainer} and the parameter server's coordinator both walk their run with one of these, so
 * they visit the same (epoch, step) sequence, prepare the same epochs and close them at the same
 * steps by construction.
 *
 * <p>Lifecycle: construct → {@link #resumeAt} (after a checkpoint, optional) → {@link #begin} → per
 * step: {@link #epochPreparationDue} / {@link #epochPrepared} → the step at {@link #epoch()},
 * {@link #stepInEpoch()} → {@link #advance} with its statistics, until {@link #done()}. Not
 * thread-safe: one loop owns it.
 */
public final class RunCursor {
  private final int stepsPerEpoch;
  private final long viewsPerStep;
  private int epoch;
  private int stepInEpoch;
  private long globalStep;
  private int preparedEpoch = -1;
  private StepStats epochStats;
  private long limit;
  private long startStep = -1;
  private long startNanos;

  /**
   * What a step closed.
   *
   * @param report the step's progress, at its own position (before the cursor moved on)
   * @param closedEpoch the statistics of the epoch this step ended (the epoch's last step, or the
   *     run's last step within an epoch), else null
   * @param epochEnded whether the step was the last of its epoch (a full epoch, not the run's end)
   */
  public record Advance(StepReport report, StepStats closedEpoch, boolean epochEnded) {}

  /**
   * @param stepsPerEpoch steps in an epoch ({@link MinibatchSchedule#stepsPerEpoch()})
   * @param viewsPerStep views one step trains on (M times the method's views per image)
   */
  public RunCursor(int stepsPerEpoch, long viewsPerStep) {
    if (stepsPerEpoch <= 0 || viewsPerStep <= 0) {
      throw new IllegalArgumentException(
          stepsPerEpoch + " steps per epoch, " + viewsPerStep + " views per step");
    }
    this.stepsPerEpoch = stepsPerEpoch;
    this.viewsPerStep = viewsPerStep;
  }

  /**
   * Continues at a checkpoint's position; the first step after it runs the start-of-epoch work
   * again (as a fresh start does), whatever the epoch.
   */
  public void resumeAt(int epoch, int stepInEpoch, long globalStep) {
    if (epoch < 0 || stepInEpoch < 0 || stepInEpoch >= stepsPerEpoch || globalStep < 0) {
      throw new IllegalArgumentException(
          "position epoch "
              + epoch
              + ", step "
              + stepInEpoch
              + " of "
              + stepsPerEpoch
              + ", global step "
              + globalStep);
    }
    this.epoch = epoch;
    this.stepInEpoch = stepInEpoch;
    this.globalStep = globalStep;
    preparedEpoch = -1;
    epochStats = null;
  }

  /** Starts stepping in this process, up to global step {@code limit}; the clock starts here. */
  public void begin(long limit) {
    this.limit = limit;
    startStep = globalStep;
    startNanos = System.nanoTime();
    epochStats = null;
  }

  /** Whether the global step reached the limit given to {@link #begin}. */
  public boolean done() {
    return globalStep >= limit;
  }

  /** The epoch of the next step (0-based). */
  public int epoch() {
    return epoch;
  }

  /** The next step's index within its epoch (0-based). */
  public int stepInEpoch() {
    return stepInEpoch;
  }

  /** Steps completed in total (after a resume: including the ones before it). */
  public long globalStep() {
    return globalStep;
  }

  /** Steps in an epoch. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /** The epoch of the step after the next one. */
  public int followingEpoch() {
    return stepInEpoch + 1 == stepsPerEpoch ? epoch + 1 : epoch;
  }

  /** The in-epoch index of the step after the next one. */
  public int followingStepInEpoch() {
    return stepInEpoch + 1 == stepsPerEpoch ? 0 : stepInEpoch + 1;
  }

  /**
   * Whether the method's start-of-epoch work (DeepCluster's clustering) is due before the next
   * step: before the first step of every epoch and before the first step after a start or resume.
   */
  public boolean epochPreparationDue() {
    return preparedEpoch != epoch;
  }

  /** The start-of-epoch work of {@code e} is done. */
  public void epochPrepared(int e) {
    preparedEpoch = e;
  }

  /**
   * Records the step just applied at the cursor's position and moves past it.
   *
   * @param stats the step's loss and accuracies
   * @param totalSteps the run's total, for the report
   */
  public Advance advance(StepStats stats, long totalSteps) {
    if (startStep < 0) {
      throw new IllegalStateException("advance() before begin()");
    }
    globalStep++;
    double seconds = (System.nanoTime() - startNanos) / 1e9;
    double vps = (globalStep - startStep) * (double) viewsPerStep / seconds;
    StepReport report =
        new StepReport(epoch, stepInEpoch, stepsPerEpoch, globalStep, totalSteps, stats, vps);
    epochStats = epochStats == null ? stats : epochStats.plus(stats);
    boolean epochEnded = stepInEpoch + 1 == stepsPerEpoch;
    StepStats closed = null;
    if (epochEnded || globalStep == limit) {
      closed = epochStats;
      epochStats = null;
    }
    int e = followingEpoch();
    stepInEpoch = followingStepInEpoch();
    epoch = e;
    return new Advance(report, closed, epochEnded);
  }

  /**
   * Whether a checkpoint is due after the step that {@code a} closed: every {@code every} global
   * steps when {@code every > 0}, else at each epoch's end; and after the run's last step.
   */
  public boolean checkpointDue(long every, Advance a) {
    boolean due = every > 0 ? globalStep % every == 0 : a.epochEnded();
    return due || globalStep == limit;
  }

  /** Wall seconds since {@link #begin}. */
  public double secondsSinceBegin() {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  /** Steps taken since {@link #begin}. */
  public long stepsSinceBegin() {
    return globalStep - startStep;
  }
}

package org.relreason.model.config;

/**
 * The learning rate of step {@code t} (0-based) as a factor of the base rate: an optional linear
 * warm-up over the first {@code warmupSteps} steps ({@code (t + 1) / warmupSteps}, Goyal et al.
 * 2017), then either the base rate ({@link Kind#CONSTANT}) or a cosine decay to zero at {@code
 * totalSteps} ({@link Kind#COSINE}: {@code ½(1 + cos(π (t − W) / (T − W)))}, Loshchilov and Hutter,
 * SGDR, ICLR 2017, without restarts). Stateless: the factor depends on the step alone, so a resumed
 * run (whose optimizer state holds the step) continues the same curve.
 *
 * @param kind constant or cosine after the warm-up
 * @param warmupSteps steps of linear warm-up, 0 for none
 * @param totalSteps steps of the run (the cosine reaches zero there)
 */
public record LearningRateSchedule(Kind kind, long warmupSteps, long totalSteps) {
  /** What follows the warm-up. */
  public enum Kind {
    CONSTANT("constant"),
    COSINE("cosine");

    private final String id;

    Kind(String id) {
      this.id = id;
    }

    /** The config-file name. */
    public String id() {
      return id;
    }

    /** The kind of a config-file name. */
    public static Kind parse(String s) {
      for (Kind k : values()) {
        if (k.id.equals(s)) {
          return k;
        }
      }
      throw new IllegalArgumentException("expected constant or cosine");
    }
  }

  /** The paper's: the base rate at every step. */
  public static final LearningRateSchedule CONSTANT = new LearningRateSchedule(Kind.CONSTANT, 0, 0);

  public LearningRateSchedule {
    if (warmupSteps < 0 || totalSteps < 0) {
      throw new IllegalArgumentException(
          "warm-up (" + warmupSteps + ") and total steps (" + totalSteps + ") must be >= 0");
    }
    if (warmupSteps > 0 && warmupSteps > totalSteps) {
      throw new IllegalArgumentException(
          "config key 'warmup-steps': "
              + warmupSteps
              + " warm-up steps for a run of "
              + totalSteps
              + " steps");
    }
  }

  /** Whether every step has the base rate. */
  public boolean isConstant() {
    return kind == Kind.CONSTANT && warmupSteps == 0;
  }

  /** The factor of the base rate at step {@code t} (0-based). */
  public double factor(long t) {
    if (t < warmupSteps) {
      return (t + 1) / (double) warmupSteps;
    }
    if (kind == Kind.CONSTANT) {
      return 1;
    }
    long span = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1, (t - warmupSteps) / (double) span);
    return 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}

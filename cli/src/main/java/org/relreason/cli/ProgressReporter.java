package org.relreason.cli;

import java.nio.file.Path;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.StepStats;
import org.relreason.model.train.TrainListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A progress bar per epoch (loss, pair accuracy on positives/negatives, views/s, ETA) on a
 * terminal; a log line every few seconds otherwise (CI, files). After the run's first ten steps it
 * logs their mean loss, the early-learning figure the PyTorch reference prints too ({@code
 * bench/parity.sh} compares the two).
 */
final class ProgressReporter implements TrainListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ProgressReporter.class);
  private static final int FIRST_STEPS = 10;
  private final boolean terminal = System.console() != null;
  private ProgressBar bar;
  private int barEpoch = -1;
  private long lastLog;
  private double firstLosses;
  private int firstSteps;

  @Override
  public void onStep(StepReport r) {
    StepStats s = r.stats();
    if (firstSteps < FIRST_STEPS && r.globalStep() == firstSteps + 1) {
      firstLosses += s.loss();
      if (++firstSteps == FIRST_STEPS) {
        LOG.info(
            "first {} steps mean loss {}",
            FIRST_STEPS,
            String.format("%.4f", firstLosses / FIRST_STEPS));
      }
    }
    String msg =
        String.format(
            "loss %.4f acc+ %.3f acc- %.3f %.0f views/s",
            s.loss(), s.positiveAccuracy(), s.negativeAccuracy(), r.viewsPerSecond());
    if (terminal) {
      if (bar == null || barEpoch != r.epoch()) {
        close();
        bar =
            new ProgressBarBuilder()
                .setTaskName("epoch " + (r.epoch() + 1))
                .setInitialMax(r.stepsPerEpoch())
                .setStyle(ProgressBarStyle.ASCII)
                .setUpdateIntervalMillis(250)
                .build();
        bar.stepTo(r.stepInEpoch());
        barEpoch = r.epoch();
      }
      bar.stepTo(r.stepInEpoch() + 1);
      bar.setExtraMessage(msg);
    } else {
      long now = System.nanoTime();
      if (now - lastLog > 5_000_000_000L || r.globalStep() == r.totalSteps()) {
        lastLog = now;
        LOG.info(
            "epoch {} step {}/{} (total {}/{}) {}",
            r.epoch() + 1,
            r.stepInEpoch() + 1,
            r.stepsPerEpoch(),
            r.globalStep(),
            r.totalSteps(),
            msg);
      }
    }
  }

  @Override
  public void onEpochEnd(int epoch, StepStats s) {
    close();
    LOG.info(
        "epoch {} done: loss {} pair accuracy +{} / -{}",
        epoch + 1,
        String.format("%.4f", s.loss()),
        String.format("%.3f", s.positiveAccuracy()),
        String.format("%.3f", s.negativeAccuracy()));
  }

  @Override
  public void onCheckpoint(Path file) {
    LOG.info("checkpoint {}", file);
  }

  @Override
  public void close() {
    if (bar != null) {
      bar.close();
      bar = null;
    }
  }
}

package org.relreason.observe;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.relreason.model.run.Pretrainer;
import org.relreason.model.train.StepReport;
import org.relreason.model.train.TrainListener;

/**
 * The parameters of the single-process trainer, copied on the training thread between two steps
 * (the only moment they are consistent) and only when someone asked: training pays nothing while
 * nobody looks at the retrieval panel. After pre-training the final parameters answer directly.
 */
public final class StepBoundParams implements ParamsSource {
  /** How long a request waits for the next step boundary. */
  private static final long WAIT_SECONDS = 120;

  private volatile Supplier<float[]> reader;
  private volatile float[] finalParams;
  private CompletableFuture<float[]> pending;

  @Override
  public float[] current() throws InterruptedException {
    float[] f = finalParams;
    if (f != null) {
      return f;
    }
    if (reader == null) {
      return null;
    }
    CompletableFuture<float[]> wait;
    synchronized (this) {
      if (pending == null) {
        pending = new CompletableFuture<>();
      }
      wait = pending;
    }
    try {
      return wait.get(WAIT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      return finalParams;
    }
  }

  /** Answers a pending request; runs on the training thread at a step boundary. */
  private void atStepBoundary() {
    CompletableFuture<float[]> p;
    synchronized (this) {
      p = pending;
      pending = null;
    }
    if (p != null) {
      p.complete(reader.get());
    }
  }

  private void finish(float[] params) {
    finalParams = params;
    CompletableFuture<float[]> p;
    synchronized (this) {
      p = pending;
      pending = null;
    }
    if (p != null) {
      p.complete(params);
    }
  }

  /** The single-process pre-training ({@link Pretrainer#singleProcess}), feeding this source. */
  public Pretrainer pretrainer() {
    Pretrainer inner = Pretrainer.singleProcess(t -> reader = () -> t.model().paramsVector());
    TrainListener hook =
        new TrainListener() {
          @Override
          public void onStep(StepReport report) {
            atStepBoundary();
          }
        };
    return (config, train, norm, listener) -> {
      Pretrainer.Outcome o =
          inner.pretrain(config, train, norm, TrainListener.both(listener, hook));
      finish(o.params());
      return o;
    };
  }
}

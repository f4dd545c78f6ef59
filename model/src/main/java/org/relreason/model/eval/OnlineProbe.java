package org.relreason.model.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.method.Methods;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.TrainListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The online probe of a training run ({@code --probe-every N}): every N steps, the kNN monitor
 * ({@link KnnMonitor}, the run's {@code knn-k}, cosine, temperature 0.1) of the current backbone on
 * a labelled subset (the first {@code probe-images} training images as the gallery, the first
 * {@code probe-images} test images as queries), reported as an evaluation {@code probe_knn} (the
 * {@code relreason_eval_accuracy{protocol="probe_knn"}} gauge and the evaluation table), as a point
 * ({@link TrainListener#onProbe}: the dashboard's probe plot), and kept as a curve for the result
 * ({@code probe_curve}).
 *
 * <p>A {@link TrainListener}: the loops call {@link #afterStep} once per step with a supplier of
 * the current flat parameters; when a probe is due, the parameters are copied there and then (on
 * the caller's thread, so the point is that step's) and scored on the probe's own thread with its
 * own copy of the model, so neither the training step nor an event loop waits for it. {@link
 * #finish()} waits for the last one.
 */
public final class OnlineProbe implements TrainListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(OnlineProbe.class);

  /**
   * One point of the curve.
   *
   * @param step the global step whose parameters were scored
   * @param knnTop1 kNN top-1 on the probe's test images
   * @param seconds wall time of the probe
   */
  public record Point(long step, double knnTop1, double seconds) {}

  private final long every;
  private final String dataset;
  private final PretrainModel model;
  private final ImageSet gallery;
  private final ImageSet queries;
  private final Normalization norm;
  private final int k;
  private final TrainListener downstream;
  private final ExecutorService thread =
      Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "online-probe");
            t.setDaemon(true);
            return t;
          });
  private final List<Point> curve = new ArrayList<>();
  private final List<Future<?>> pending = new ArrayList<>();

  private OnlineProbe(TrainConfig config, ImageSet train, ImageSet test, TrainListener downstream) {
    this.every = config.probeEvery();
    this.dataset = config.dataset();
    this.model = Methods.build(config, test);
    this.gallery = train;
    this.queries = test;
    this.norm = Datasets.normalization(config.dataset());
    this.k = Math.min(config.knnK(), train.size());
    this.downstream = downstream;
  }

  /**
   * The probe of a run, or null when {@code probe-every} is 0 (the default).
   *
   * @param downstream where each point is reported as the evaluation {@code probe_knn}
   */
  public static OnlineProbe of(TrainConfig config, TrainListener downstream) throws IOException {
    if (config.probeEvery() == 0) {
      return null;
    }
    Path dir = Path.of(config.dataDir());
    ImageSet train = Datasets.load(config.dataset(), dir, Split.TRAIN, config.probeImages());
    ImageSet test = Datasets.load(config.dataset(), dir, Split.TEST, config.probeImages());
    return new OnlineProbe(config, train, test, downstream);
  }

  @Override
  public void afterStep(long globalStep, Supplier<float[]> params) {
    if (globalStep % every != 0) {
      return;
    }
    float[] p = params.get();
    synchronized (pending) {
      pending.add(thread.submit(() -> score(globalStep, p)));
    }
  }

  private void score(long step, float[] params) {
    long t0 = System.nanoTime();
    model.setParams(params);
    FeatureExtractor fx = new FeatureExtractor(norm);
    double top1 =
        new KnnMonitor(k, KnnMonitor.DEFAULT_TEMPERATURE)
            .top1(fx.extract(model.backbone(), gallery), fx.extract(model.backbone(), queries));
    Point point = new Point(step, top1, (System.nanoTime() - t0) / 1e9);
    synchronized (curve) {
      curve.add(point);
    }
    LOG.info(
        "online probe at step {}: kNN top-1 {} ({} / {} images, {} s)",
        step,
        String.format("%.4f", top1),
        gallery.size(),
        queries.size(),
        String.format("%.1f", point.seconds()));
    downstream.onEvaluation("probe_knn", dataset, top1);
    downstream.onProbe(step, top1);
  }

  /** Waits for the probes still running; returns the curve, in step order. */
  public List<Point> finish() throws IOException {
    List<Future<?>> all;
    synchronized (pending) {
      all = new ArrayList<>(pending);
    }
    for (Future<?> f : all) {
      try {
        f.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the online probe", e);
      } catch (ExecutionException e) {
        throw new IOException(
            "the online probe failed: " + e.getCause().getMessage(), e.getCause());
      }
    }
    synchronized (curve) {
      return List.copyOf(curve);
    }
  }

  @Override
  public void close() {
    thread.shutdownNow();
  }
}

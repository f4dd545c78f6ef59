package org.relreason.cli;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.relreason.coordinator.CoordinatorOptions;
import org.relreason.coordinator.CoordinatorVerticle;
import org.relreason.coordinator.RunResult;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.run.TrainJob;
import org.relreason.model.train.NativeMemory;
import org.relreason.model.train.TrainListener;
import org.relreason.observe.RunObserver;
import org.relreason.observe.WorkerObserver;
import org.relreason.protocol.Codecs;
import org.relreason.protocol.v1.ShardingMode;
import org.relreason.worker.WorkerOptions;
import org.relreason.worker.WorkerVerticle;

/**
 * The embedded mode: one JVM, a local (non-clustered) Vert.x, one coordinator and N worker
 * verticles on the same event bus (what {@code train --workers N} runs). Protobuf messages pass by
 * reference locally (the codecs' {@code transform} returns the same instance), so this measures the
 * parameter server's own overhead without the network.
 */
public final class EmbeddedRun {
  private EmbeddedRun() {}

  /**
   * What watches an embedded run.
   *
   * @param observer the coordinator's observer (metrics, dashboard)
   * @param workers the observer every worker verticle reports to (one shared instance, so worker
   *     metrics are sums over the JVM's workers)
   * @param coordinator told the coordinator verticle before it is deployed (e.g. to read its
   *     parameters for the dashboard)
   */
  public record Hooks(
      RunObserver observer, WorkerObserver workers, Consumer<CoordinatorVerticle> coordinator) {
    /** Nothing watches. */
    public static final Hooks NONE = new Hooks(RunObserver.NONE, WorkerObserver.NONE, c -> {});
  }

  /** Loads the configured dataset's training split and runs. */
  public static RunResult run(TrainConfig config, int workers, ShardingMode mode)
      throws IOException {
    return run(
        config,
        TrainJob.trainingImages(config),
        Datasets.normalization(config.dataset()),
        CoordinatorOptions.of(UUID.randomUUID().toString(), workers, mode));
  }

  /** Runs on given images with given coordinator options; blocks until the run ends. */
  public static RunResult run(
      TrainConfig config, ImageSet train, Normalization norm, CoordinatorOptions options) {
    return run(config, train, norm, options, new TrainListener() {});
  }

  /** As {@link #run(TrainConfig, ImageSet, Normalization, CoordinatorOptions)}, with progress. */
  public static RunResult run(
      TrainConfig config,
      ImageSet train,
      Normalization norm,
      CoordinatorOptions options,
      TrainListener listener) {
    return run(config, train, norm, options, listener, Hooks.NONE);
  }

  /** As above, watched by {@code hooks}. */
  public static RunResult run(
      TrainConfig config,
      ImageSet train,
      Normalization norm,
      CoordinatorOptions options,
      TrainListener listener,
      Hooks hooks) {
    NativeMemory.boundGarbage(); // as the single-process Trainer does (#13)
    Vertx vertx = Vertx.vertx();
    try {
      Codecs.registerAll(vertx);
      CoordinatorVerticle coordinator =
          new CoordinatorVerticle(options, config, train)
              .normalization(norm)
              .listener(listener)
              .observer(hooks.observer());
      hooks.coordinator().accept(coordinator);
      Future<RunResult> result =
          vertx
              .deployVerticle(coordinator)
              .compose(
                  id -> {
                    List<Future<String>> deployed = new ArrayList<>();
                    for (int w = 0; w < options.workers(); w++) {
                      deployed.add(
                          vertx.deployVerticle(
                              new WorkerVerticle(WorkerOptions.of("w" + w), config, train, norm)
                                  .observer(hooks.workers())));
                    }
                    return Future.all(deployed);
                  })
              .compose(v -> coordinator.result());
      return result.await();
    } finally {
      vertx.close().await();
    }
  }
}

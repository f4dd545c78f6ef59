package org.relreason.observe;

/**
 * What a {@link org.relreason.worker.WorkerVerticle} reports as it works. Called on the worker's
 * event loop; implementations must be quick. Every method has a no-op default so that the verticle
 * carries no metrics library.
 */
public interface WorkerObserver {
  /** Does nothing. */
  WorkerObserver NONE = new WorkerObserver() {};

  /** A shard was computed and answered: {@code views} views in {@code seconds}. */
  default void onShard(int views, double seconds) {}

  /** A message of {@code bytes} (protobuf serialized size) went out or came in. */
  default void onMessage(Traffic.Direction direction, Traffic.Kind kind, long bytes) {}

  /** The replica now holds this parameter version. */
  default void onParameterVersion(long version) {}

  /**
   * The coordinator accepted this worker ({@code true}) or the run ended for it ({@code false}).
   */
  default void onRegistered(boolean registered) {}
}

package org.relreason.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.Checkpoint;
import org.relreason.model.train.CheckpointStore;

/**
 * When the coordinator checkpoints and what it resumes from (STYLE.md 9: weights, optimizer state,
 * step, data cursor and the config that made them). A checkpoint is due every {@code
 * checkpoint-every} steps (else at each epoch's end), after the last step, and after any step that
 * follows a failed one (a full disk: training goes on and the checkpoint is owed). No Vert.x: the
 * verticle runs {@link #save} on its executor and reports the outcome with {@link #saved} or {@link
 * #failed}.
 */
final class Checkpointer {
  /** Checkpoints kept on disk (older ones are rotated out). */
  static final int KEPT = 3;

  private final TrainConfig config;
  private final CheckpointStore store;
  private boolean owed;

  /** Checkpoints into the config's {@code checkpoint-dir}; none when it is empty. */
  Checkpointer(TrainConfig config) {
    this.config = config;
    this.store =
        config.checkpointDir().isEmpty()
            ? null
            : new CheckpointStore(Path.of(config.checkpointDir()), KEPT);
  }

  /**
   * The latest valid checkpoint of this run, if any.
   *
   * @throws IllegalStateException if it belongs to another run (other model-defining keys) or to
   *     another shard layout ({@link ShardLayout})
   */
  Optional<CheckpointStore.Loaded> resume(CoordinatorOptions options) throws IOException {
    if (store == null) {
      return Optional.empty();
    }
    Optional<CheckpointStore.Loaded> latest = store.latestValid();
    ShardLayout.check(store.dir(), options, latest.isPresent());
    if (latest.isPresent()) {
      Checkpoint c = latest.get().checkpoint();
      if (!TrainConfig.of(c.config()).modelDefiningKeys().equals(config.modelDefiningKeys())) {
        throw new IllegalStateException(
            "checkpoint " + latest.get().file() + " belongs to another run");
      }
    }
    return latest;
  }

  /** Whether a checkpoint is due now that the cursor is at {@code step} of {@code total}. */
  boolean due(long step, int stepInEpoch, long total) {
    boolean scheduled =
        config.checkpointEvery() > 0 ? step % config.checkpointEvery() == 0 : stepInEpoch == 0;
    return store != null && (scheduled || step == total || owed);
  }

  /** Writes {@code c}; blocking (call off the event loop). */
  Path save(Checkpoint c) throws IOException {
    return store.save(c);
  }

  /** The last save succeeded: nothing is owed. */
  void saved() {
    owed = false;
  }

  /** The last save failed: a checkpoint is owed after the next step. */
  void failed() {
    owed = true;
  }
}

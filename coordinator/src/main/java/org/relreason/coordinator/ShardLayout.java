package org.relreason.coordinator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * The shard layout a checkpoint directory's run was trained with ({@code workers} and sharding
 * {@code mode}, in {@code shard-layout.properties}). The shard plan follows the worker count, and
 * each shard's batch-norm sees only its own images, so a run resumed with another count would not
 * be the run it continues: such a resume is refused, naming both values.
 */
final class ShardLayout {
  static final String FILE = "shard-layout.properties";

  private ShardLayout() {}

  /**
   * Records the layout of {@code options} in {@code dir}, or, if {@code resuming} and one is
   * recorded, checks that it is the same.
   *
   * @throws IllegalStateException naming both layouts if they differ
   */
  static void check(Path dir, CoordinatorOptions options, boolean resuming) throws IOException {
    Path file = dir.resolve(FILE);
    String workers = Integer.toString(options.workers());
    String mode = options.mode().name();
    if (resuming && Files.isRegularFile(file)) {
      Properties saved = new Properties();
      try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
        saved.load(in);
      }
      String w = saved.getProperty("workers");
      String m = saved.getProperty("mode");
      if (!workers.equals(w) || !mode.equals(m)) {
        throw new IllegalStateException(
            "checkpoints in "
                + dir
                + " were trained with --workers "
                + w
                + " --mode "
                + m
                + ", this coordinator has --workers "
                + workers
                + " --mode "
                + mode
                + ": the shard plan follows the worker count, so the resumed run would not be"
                + " exact; restart with --workers "
                + w
                + " --mode "
                + m
                + ", or use another checkpoint-dir");
      }
      return;
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve(FILE + ".tmp");
    try {
      Files.writeString(tmp, "workers=" + workers + "\nmode=" + mode + "\n");
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) { // a full disk must not stop the run; only the check is lost
      Files.deleteIfExists(tmp);
      LOG.warn("could not record the shard layout in {}: {}", file, e.getMessage());
    }
  }

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ShardLayout.class);
}

package org.relreason.coordinator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.cli.EmbeddedRun;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.train.CheckpointStore;
import org.relreason.observe.RunObserver;
import org.relreason.protocol.v1.ShardingMode;

/**
 * A real full disk: the checkpoint directory is a 4 MiB tmpfs (mounted as root; the test is skipped
 * where mounting is not allowed, and fails under CI=true), filled up before the run. Every
 * checkpoint fails with "No space left on device"; training goes on, each failure is counted, and
 * once space is freed (after the second failure) the next checkpoint is written; the run ends with
 * the uninterrupted run's parameters and its final checkpoint.
 */
class CheckpointDiskFullTest {
  private static final int STEPS = 5;
  @TempDir Path mount;
  private boolean mounted;

  @BeforeEach
  void mountTmpfs() throws Exception {
    Process p =
        new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mount.toString())
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes());
    mounted = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
    String why = "needs to mount a tmpfs (root): " + out;
    if ("true".equalsIgnoreCase(System.getenv("CI"))) {
      org.junit.jupiter.api.Assertions.assertTrue(mounted, why);
    }
    org.junit.jupiter.api.Assumptions.assumeTrue(mounted, why);
  }

  @AfterEach
  void unmount() throws Exception {
    if (mounted) {
      new ProcessBuilder("umount", mount.toString()).inheritIO().start().waitFor();
    }
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void fullDiskKeepsTrainingCountsEachFailureAndRetriesUntilACheckpointIsWritten()
      throws Exception {
    Path dir = mount.resolve("ckpt");
    Files.createDirectories(dir);
    Path filler = mount.resolve("filler");
    fill(filler);
    Map<String, String> keys = new HashMap<>(Reference.tinyConfig(STEPS).asMap());
    RunResult clean =
        EmbeddedRun.run(
            TrainConfig.of(keys),
            Reference.tinyImages(),
            Reference.NORM,
            CoordinatorOptions.of("clean", 2, ShardingMode.IMAGES));
    keys.put("checkpoint-dir", dir.toString());
    keys.put("checkpoint-every", "1");
    AtomicInteger failures = new AtomicInteger();
    RunObserver watch =
        new RunObserver() {
          @Override
          public void onCheckpointFailed(String reason) {
            assertThat(reason).contains("No space left on device");
            if (failures.incrementAndGet() == 2) {
              try {
                Files.delete(filler);
              } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
              }
            }
          }
        };
    RunResult run =
        EmbeddedRun.run(
            TrainConfig.of(keys),
            Reference.tinyImages(),
            Reference.NORM,
            CoordinatorOptions.of(UUID.randomUUID().toString(), 2, ShardingMode.IMAGES),
            new org.relreason.model.train.TrainListener() {},
            new EmbeddedRun.Hooks(watch, org.relreason.observe.WorkerObserver.NONE, c -> {}));
    assertThat(run.steps()).as("training went on").isEqualTo(STEPS);
    assertThat(failures.get()).as("failed checkpoints counted").isEqualTo(2);
    assertThat(run.finalParams()).containsExactly(clean.finalParams());
    var last = new CheckpointStore(dir, 3).latestValid().orElseThrow();
    assertThat(last.checkpoint().globalStep()).isEqualTo(STEPS);
    assertThat(last.checkpoint().params()).containsExactly(clean.finalParams());
  }

  /** Writes {@code file} until the file system is full. */
  private static void fill(Path file) throws IOException {
    byte[] block = new byte[64 * 1024];
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
      }
    } catch (IOException full) {
      assertThat(full.getMessage()).contains("No space left on device");
    }
  }
}

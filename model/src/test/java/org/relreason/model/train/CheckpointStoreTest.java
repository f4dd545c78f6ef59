package org.relreason.model.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {

  private static Checkpoint checkpoint(long step, int n) {
    float[] p = new float[n];
    float[] m = new float[n];
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      p[i] = (float) Math.sin(i + step);
      m[i] = i * 1e-3f;
      v[i] = Float.MIN_VALUE * i;
    }
    return new Checkpoint(
        Map.of("k", "4", "backbone", "conv4"), 1, 3, step, p, new Adam.State(step, m, v));
  }

  @Test
  void roundTripsExactly(@TempDir Path dir) throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 3);
    Checkpoint c = checkpoint(7, 1000);
    Path f = store.save(c);
    Checkpoint back = CheckpointStore.load(f);
    assertThat(back.params()).containsExactly(c.params());
    assertThat(back.adam().m()).containsExactly(c.adam().m());
    assertThat(back.adam().v()).containsExactly(c.adam().v());
    assertThat(back.adam().steps()).isEqualTo(7);
    assertThat(back.config()).isEqualTo(c.config());
    assertThat(back.epoch()).isEqualTo(1);
    assertThat(back.stepInEpoch()).isEqualTo(3);
    assertThat(back.globalStep()).isEqualTo(7);
  }

  @Test
  void keepsTheNewestAndFindsTheLatestByStep(@TempDir Path dir) throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 2);
    for (long s : new long[] {2, 10, 4, 12}) {
      store.save(checkpoint(s, 10));
    }
    assertThat(store.list())
        .extracting(p -> p.getFileName().toString())
        .containsExactly("checkpoint-10.rrck", "checkpoint-12.rrck");
    assertThat(store.latest())
        .get()
        .extracting(p -> p.getFileName().toString())
        .isEqualTo("checkpoint-12.rrck");
  }

  @Test
  void aDamagedOrTruncatedFileIsRefusedNamingIt(@TempDir Path dir) throws IOException {
    Path f = new CheckpointStore(dir, 3).save(checkpoint(3, 100));
    byte[] bytes = Files.readAllBytes(f);
    bytes[bytes.length / 2] ^= 1;
    Files.write(f, bytes);
    assertThatThrownBy(() -> CheckpointStore.load(f))
        .hasMessageContaining(f.toString())
        .hasMessageContaining("checksum");
    Files.write(f, java.util.Arrays.copyOf(bytes, 20));
    assertThatThrownBy(() -> CheckpointStore.load(f)).hasMessageContaining(f.toString());
    Files.write(f, "not a checkpoint at all".getBytes());
    assertThatThrownBy(() -> CheckpointStore.load(f)).hasMessageContaining("bad magic");
  }

  @Test
  void aFullDiskLosesNothing(@TempDir Path dir) throws IOException {
    new CheckpointStore(dir, 3).save(checkpoint(1, 5000));
    // a disk that fills up after 4 KiB of the next checkpoint
    CheckpointStore full =
        new CheckpointStore(
            dir,
            3,
            file ->
                new FilterOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW)) {
                  long written;

                  @Override
                  public void write(byte[] b, int off, int len) throws IOException {
                    written += len;
                    if (written > 4096) {
                      throw new IOException("No space left on device");
                    }
                    out.write(b, off, len);
                  }
                });
    assertThatThrownBy(() -> full.save(checkpoint(2, 5000)))
        .hasMessageContaining("checkpoint-2.rrck")
        .hasMessageContaining("No space left on device");
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("checkpoint-1.rrck");
    }
    assertThat(CheckpointStore.load(dir.resolve("checkpoint-1.rrck")).params())
        .containsExactly(checkpoint(1, 5000).params());
  }

  static OutputStream unused() {
    return OutputStream.nullOutputStream();
  }

  /** A corrupt newest checkpoint (truncated, or a flipped byte) falls back to the previous one. */
  @Test
  void latestValidSkipsDamagedNewestCheckpoints(@TempDir Path dir) throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 3);
    for (long s : new long[] {1, 2, 3}) {
      store.save(checkpoint(s, 100));
    }
    Path third = dir.resolve("checkpoint-3.rrck");
    byte[] b = java.nio.file.Files.readAllBytes(third);
    java.nio.file.Files.write(third, java.util.Arrays.copyOf(b, b.length - 17));
    Path second = dir.resolve("checkpoint-2.rrck");
    byte[] c = java.nio.file.Files.readAllBytes(second);
    c[c.length / 2] ^= 0x40;
    java.nio.file.Files.write(second, c);
    CheckpointStore.Loaded l = store.latestValid().orElseThrow();
    assertThat(l.file().getFileName().toString()).isEqualTo("checkpoint-1.rrck");
    assertThat(l.checkpoint().params()).containsExactly(checkpoint(1, 100).params());
  }

  @Test
  void noReadableCheckpointIsAnErrorNamingEachFile(@TempDir Path dir) throws IOException {
    CheckpointStore store = new CheckpointStore(dir, 3);
    store.save(checkpoint(1, 10));
    store.save(checkpoint(2, 10));
    for (String f : new String[] {"checkpoint-1.rrck", "checkpoint-2.rrck"}) {
      java.nio.file.Files.write(dir.resolve(f), new byte[] {1, 2, 3});
    }
    assertThatThrownBy(store::latestValid)
        .isInstanceOf(IOException.class)
        .hasMessageContaining("checkpoint-1.rrck")
        .hasMessageContaining("checkpoint-2.rrck")
        .hasMessageContaining("no readable checkpoint");
  }
}

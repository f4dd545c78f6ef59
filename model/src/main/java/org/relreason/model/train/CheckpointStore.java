package org.relreason.model.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints in a directory, one file per saved step ({@code checkpoint-<step>.rrck}).
 *
 * <p>Format (version 1): 8 magic bytes {@code RRCKPT01}, a 4-byte big-endian length and a UTF-8
 * JSON header (format, config, cursor, sizes), then params, Adam m and Adam v as little-endian
 * float32, then the CRC32 of everything before it as 8 big-endian bytes.
 *
 * <p>Writes are atomic and durable: the file is written as {@code .tmp}, forced to disk, renamed,
 * and the directory is forced too (without that the rename itself may be lost in a power cut,
 * leaving the previous checkpoint as the newest, or none). A failure (a full disk, say) deletes the
 * temporary file and leaves earlier checkpoints as they were. Only the newest {@code keep}
 * checkpoints are kept, so a damaged newest one leaves older ones to resume from ({@link
 * #latestValid}).
 */
public final class CheckpointStore {
  private static final byte[] MAGIC = "RRCKPT01".getBytes(StandardCharsets.US_ASCII);
  private static final Pattern NAME = Pattern.compile("checkpoint-(\\d+)\\.rrck");
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);

  /** Opens the output stream of a temporary file; replaceable in tests to simulate a full disk. */
  @FunctionalInterface
  interface Sink {
    OutputStream open(Path file) throws IOException;
  }

  private final Path dir;
  private final int keep;
  private final Sink sink;

  public CheckpointStore(Path dir, int keep) {
    this(
        dir,
        keep,
        f -> Files.newOutputStream(f, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  CheckpointStore(Path dir, int keep, Sink sink) {
    if (keep < 1) {
      throw new IllegalArgumentException("keep must be at least 1, got " + keep);
    }
    this.dir = dir;
    this.keep = keep;
    this.sink = sink;
  }

  /** The directory. */
  public Path dir() {
    return dir;
  }

  /** Writes a checkpoint atomically and returns its path. */
  public Path save(Checkpoint c) throws IOException {
    Files.createDirectories(dir);
    Path target = dir.resolve("checkpoint-" + c.globalStep() + ".rrck");
    Path tmp = dir.resolve(target.getFileName() + ".tmp");
    Files.deleteIfExists(tmp);
    try {
      try (OutputStream raw = sink.open(tmp)) {
        write(c, raw);
      }
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory(dir);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw new IOException("could not write checkpoint " + target + ": " + e.getMessage(), e);
    }
    prune();
    return target;
  }

  /** Forces the directory's entries (the rename) to disk; Linux allows fsync on a directory. */
  private static void forceDirectory(Path dir) throws IOException {
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }

  /** A checkpoint read back, with its file. */
  public record Loaded(Path file, Checkpoint checkpoint) {}

  /**
   * The newest checkpoint that reads back whole. A damaged one (truncated, bad checksum) is skipped
   * with a warning naming it and why, and the previous one is tried: a corrupt newest checkpoint
   * must not become a crash loop.
   *
   * @throws IOException if there are checkpoints but none is readable (naming each and why)
   */
  public Optional<Loaded> latestValid() throws IOException {
    List<Path> all = list();
    StringBuilder failures = new StringBuilder();
    for (int i = all.size() - 1; i >= 0; i--) {
      Path p = all.get(i);
      try {
        return Optional.of(new Loaded(p, load(p)));
      } catch (IOException | RuntimeException e) {
        failures.append("\n  ").append(e.getMessage());
        LOG.warn(
            "checkpoint {} is unreadable, {}: {}",
            p,
            i > 0 ? "falling back to " + all.get(i - 1).getFileName() : "no older one to try",
            e.getMessage());
      }
    }
    if (!all.isEmpty()) {
      throw new IOException("no readable checkpoint in " + dir + ":" + failures);
    }
    return Optional.empty();
  }

  /** The newest checkpoint in the directory, if any. */
  public Optional<Path> latest() throws IOException {
    return list().stream().reduce((a, b) -> b);
  }

  /** Checkpoint files, oldest first. */
  public List<Path> list() throws IOException {
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    List<Path> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(dir)) {
      s.filter(p -> NAME.matcher(p.getFileName().toString()).matches()).forEach(out::add);
    }
    out.sort(Comparator.comparingLong(CheckpointStore::stepOf));
    return out;
  }

  private static long stepOf(Path p) {
    Matcher mt = NAME.matcher(p.getFileName().toString());
    return mt.matches() ? Long.parseLong(mt.group(1)) : -1;
  }

  private void prune() throws IOException {
    List<Path> all = list();
    for (int i = 0; i < all.size() - keep; i++) {
      Files.deleteIfExists(all.get(i));
    }
  }

  private static void write(Checkpoint c, OutputStream raw) throws IOException {
    CRC32 crc = new CRC32();
    CheckedOutputStream checked =
        new CheckedOutputStream(new BufferedOutputStream(raw, 1 << 20), crc);
    DataOutputStream out = new DataOutputStream(checked);
    Map<String, Object> header = new LinkedHashMap<>();
    header.put("format", 1);
    header.put("config", c.config());
    header.put("epoch", c.epoch());
    header.put("step_in_epoch", c.stepInEpoch());
    header.put("global_step", c.globalStep());
    header.put("adam_steps", c.adam().steps());
    header.put("num_params", c.params().length);
    byte[] json = JSON.writeValueAsBytes(header);
    out.write(MAGIC);
    out.writeInt(json.length);
    out.write(json);
    writeFloats(out, c.params());
    writeFloats(out, c.adam().m());
    writeFloats(out, c.adam().v());
    out.flush();
    out.writeLong(crc.getValue());
    out.flush();
  }

  private static void writeFloats(OutputStream out, float[] values) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      if (!buf.hasRemaining()) {
        out.write(buf.array(), 0, buf.position());
        buf.clear();
      }
      buf.putFloat(v);
    }
    out.write(buf.array(), 0, buf.position());
  }

  /**
   * Reads and verifies a checkpoint; a damaged file is an error naming the file and what is wrong.
   */
  public static Checkpoint load(Path file) throws IOException {
    byte[] all = Files.readAllBytes(file);
    if (all.length < MAGIC.length + 4 + 8) {
      throw new IOException(file + ": not a relreason checkpoint (only " + all.length + " bytes)");
    }
    for (int i = 0; i < MAGIC.length; i++) {
      if (all[i] != MAGIC[i]) {
        throw new IOException(
            file + ": not a relreason checkpoint (bad magic at byte offset " + i + ")");
      }
    }
    CRC32 crc = new CRC32();
    crc.update(all, 0, all.length - 8);
    long stored = ByteBuffer.wrap(all, all.length - 8, 8).getLong();
    if (stored != crc.getValue()) {
      throw new IOException(
          file
              + ": checksum mismatch (stored "
              + Long.toHexString(stored)
              + ", computed "
              + Long.toHexString(crc.getValue())
              + "): the file is damaged or truncated");
    }
    ByteBuffer b = ByteBuffer.wrap(all);
    b.position(MAGIC.length);
    int jsonLength = b.getInt();
    Map<?, ?> header = JSON.readValue(all, b.position(), jsonLength, Map.class);
    b.position(b.position() + jsonLength);
    int n = ((Number) header.get("num_params")).intValue();
    long expected = (long) b.position() + 12L * n + 8;
    if (expected != all.length) {
      throw new IOException(
          file + ": expected " + expected + " bytes for " + n + " parameters, found " + all.length);
    }
    b.order(ByteOrder.LITTLE_ENDIAN);
    float[] params = readFloats(b, n);
    float[] m = readFloats(b, n);
    float[] v = readFloats(b, n);
    Map<String, String> config = new LinkedHashMap<>();
    ((Map<?, ?>) header.get("config"))
        .forEach((k, val) -> config.put(k.toString(), val.toString()));
    return new Checkpoint(
        config,
        ((Number) header.get("epoch")).intValue(),
        ((Number) header.get("step_in_epoch")).intValue(),
        ((Number) header.get("global_step")).longValue(),
        params,
        new Adam.State(((Number) header.get("adam_steps")).longValue(), m, v));
  }

  private static float[] readFloats(ByteBuffer b, int n) {
    float[] out = new float[n];
    b.asFloatBuffer().get(out);
    b.position(b.position() + 4 * n);
    return out;
  }
}

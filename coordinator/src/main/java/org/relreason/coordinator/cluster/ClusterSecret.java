package org.relreason.coordinator.cluster;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;
import org.relreason.protocol.MessageAuth;

/**
 * The run secret of {@code --cluster-secret-file}: every node of a cluster holds the same one, and
 * every event-bus message carries an HMAC keyed by it ({@link MessageAuth}). Never printed: {@link
 * #toString()} shows only where it came from.
 *
 * <p>The file holds at least {@value #MIN_BYTES} bytes (trailing whitespace is ignored), e.g. the
 * output of {@code openssl rand -hex 32}. Like ssh with a private key, a file that others may read
 * is refused: group and other permissions must be off, except that a file owned by root may be
 * group-readable (PostgreSQL's rule for its key file), which is how Kubernetes mounts a Secret in a
 * pod with an {@code fsGroup} (it adds group read to every file).
 */
public final class ClusterSecret {
  /** Shortest secret accepted: 256 bits of hex digits' worth of text. */
  public static final int MIN_BYTES = 32;

  private static final Set<PosixFilePermission> OTHERS =
      EnumSet.of(
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);
  private static final Set<PosixFilePermission> GROUP_BUT_READ =
      EnumSet.of(PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE);

  private final byte[] bytes;
  private final Path source;

  private ClusterSecret(byte[] bytes, Path source) {
    this.bytes = bytes;
    this.source = source;
  }

  /**
   * Reads {@code file}.
   *
   * @throws IllegalArgumentException naming {@code --cluster-secret-file} if the file cannot be
   *     read, is readable by others, or holds fewer than {@value #MIN_BYTES} bytes
   */
  public static ClusterSecret read(Path file) {
    String flag = "--cluster-secret-file " + file;
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new IllegalArgumentException(flag + ": cannot read the file");
    }
    checkPermissions(file, flag);
    byte[] raw;
    try {
      raw = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
    }
    int end = raw.length;
    while (end > 0 && Character.isWhitespace(raw[end - 1])) {
      end--;
    }
    byte[] secret = Arrays.copyOf(raw, end);
    Arrays.fill(raw, (byte) 0);
    if (secret.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          flag
              + ": the secret has "
              + secret.length
              + " bytes, at least "
              + MIN_BYTES
              + " are needed (make one with: openssl rand -hex 32 > FILE; chmod 600 FILE)");
    }
    return new ClusterSecret(secret, file);
  }

  /** Made from bytes in memory (tests, and nodes started by a test or bench in one JVM). */
  public static ClusterSecret of(byte[] secret) {
    if (secret.length < MIN_BYTES) {
      throw new IllegalArgumentException("a cluster secret needs at least " + MIN_BYTES + " bytes");
    }
    return new ClusterSecret(secret.clone(), null);
  }

  /** A new authenticator for one node (its own sender id, counter and replay state). */
  public MessageAuth newAuth() {
    return MessageAuth.of(bytes);
  }

  private static void checkPermissions(Path file, String flag) {
    Set<PosixFilePermission> perms;
    String owner;
    try {
      perms = Files.getPosixFilePermissions(file);
      owner = Files.getOwner(file).getName();
    } catch (UnsupportedOperationException e) {
      return; // not a POSIX file system: its access control is the operator's
    } catch (IOException e) {
      throw new IllegalArgumentException(flag + ": " + e.getMessage(), e);
    }
    boolean others = perms.stream().anyMatch(OTHERS::contains);
    boolean group =
        perms.stream().anyMatch(GROUP_BUT_READ::contains)
            || (perms.contains(PosixFilePermission.GROUP_READ) && !owner.equals("root"));
    if (others || group) {
      throw new IllegalArgumentException(
          flag
              + ": permissions "
              + PosixFilePermissions.toString(perms)
              + " are too open: the run secret must not be readable by others"
              + " (chmod 600 "
              + file
              + ")");
    }
  }

  /** Where the secret came from, never the secret. */
  @Override
  public String toString() {
    return "ClusterSecret[" + (source == null ? "in memory" : source.toString()) + ", ***]";
  }
}

package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.coordinator.cluster.ClusterSecret;
import org.relreason.coordinator.cluster.ClusterSettings;
import picocli.CommandLine;

/**
 * {@code --cluster-secret-file}: read only from a file others cannot read, never shown, and
 * required (or {@code --insecure-cluster} given) as soon as a node is reachable off loopback.
 */
class ClusterSecretTest {
  private static final String SECRET =
      "6f1c0d9a4b7e2f3c5a8d9e0f1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6e7f8a9b0c";

  private static Path secretFile(Path dir, String perms) throws Exception {
    Path f = dir.resolve("secret");
    Files.writeString(f, SECRET + "\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString(perms));
    return f;
  }

  private static ClusterSettings parse(String... args) {
    ClusterMain.CoordinatorRole role = new ClusterMain.CoordinatorRole();
    new CommandLine(role).parseArgs(args);
    return role.common.settings();
  }

  @Test
  void aFileOnlyItsOwnerReadsIsUsedAndNeverShown(@TempDir Path dir) throws Exception {
    Path f = secretFile(dir, "rw-------");
    ClusterSettings s =
        parse("--workers", "2", "--host", "10.1.2.3", "--cluster-secret-file", f.toString());
    assertThat(s.secret()).isNotNull();
    assertThat(s.toString()).contains("HMAC").doesNotContain(SECRET);
    assertThat(s.secret().toString()).doesNotContain(SECRET).contains(f.toString());
    assertThat(s.secret().newAuth().toString()).doesNotContain(SECRET);
    assertThat(ClusterSecret.read(secretFile(dir, "r--------")).toString()).contains("***");
  }

  @Test
  void aFileOthersMayReadIsRefusedLikeSshDoes(@TempDir Path dir) throws Exception {
    // the tests run as root, whose group-readable files are allowed (Kubernetes' fsGroup mounts)
    boolean root = Files.getOwner(dir).getName().equals("root");
    for (String perms :
        root ? new String[] {"rw----r--", "rw-rw-r--", "rw--w----"} : new String[] {"rw-r-----"}) {
      Path f = secretFile(dir, perms);
      assertThatThrownBy(() -> ClusterSecret.read(f))
          .as(perms)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("--cluster-secret-file")
          .hasMessageContaining("too open")
          .hasMessageContaining("chmod 600")
          .hasMessageNotContaining(SECRET);
    }
  }

  @Test
  void aShortSecretIsRefused(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("short");
    Files.writeString(f, "too short\n");
    Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    assertThatThrownBy(() -> ClusterSecret.read(f))
        .hasMessageContaining("at least 32")
        .hasMessageContaining("openssl rand -hex 32");
    assertThatThrownBy(() -> ClusterSecret.read(dir.resolve("missing")))
        .hasMessageContaining("--cluster-secret-file")
        .hasMessageContaining("cannot read");
  }

  @Test
  void offLoopbackNeedsASecretOrAnExplicitOptOut() {
    assertThatThrownBy(() -> parse("--workers", "2", "--host", "10.1.2.3"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--host 10.1.2.3 is not a loopback address")
        .hasMessageContaining("--cluster-secret-file")
        .hasMessageContaining("--insecure-cluster");
    assertThatThrownBy(
            () ->
                parse(
                    "--workers",
                    "2",
                    "--host",
                    "10.1.2.3",
                    "--discovery",
                    "kubernetes",
                    "--k8s-service-dns",
                    "hz.ns.svc.cluster.local"))
        .hasMessageContaining("--discovery kubernetes needs --cluster-secret-file");
    assertThat(parse("--workers", "2", "--host", "10.1.2.3", "--insecure-cluster").secret())
        .isNull();
    // loopback-only runs (tests, one machine) keep working without one
    assertThat(parse("--workers", "2").secret()).isNull();
    assertThat(parse("--workers", "2", "--host", "localhost").bindsOffLoopback()).isFalse();
    // bound to loopback but advertised elsewhere: reachable through whatever forwards to it
    assertThatThrownBy(() -> parse("--workers", "2", "--bus-public-host", "10.1.2.3"))
        .hasMessageContaining("--bus-public-host 10.1.2.3 is not a loopback address");
  }
}

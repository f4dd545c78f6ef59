package org.relreason.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code /metrics} off loopback needs a token file, or an explicit {@code --metrics-insecure}. */
class MetricsOptionsTest {
  @Command(name = "probe")
  static final class Probe {
    @Mixin MetricsOptions metrics = new MetricsOptions(9400);
  }

  private static MetricsOptions parse(String... args) {
    Probe p = new Probe();
    new CommandLine(p).parseArgs(args);
    return p.metrics;
  }

  @Test
  void nonLoopbackWithoutATokenIsRefusedNamingTheOptions() {
    assertThatThrownBy(() -> parse("--metrics-host", "0.0.0.0").token())
        .hasMessageContaining("--metrics-host 0.0.0.0")
        .hasMessageContaining("--metrics-token-file")
        .hasMessageContaining("--metrics-insecure");
    assertThat(parse("--metrics-host", "0.0.0.0", "--metrics-insecure").token()).isNull();
    assertThat(parse().token()).as("loopback needs none").isNull();
  }

  @Test
  void theTokenIsReadFromItsFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("token");
    Files.writeString(f, "s3cret\n");
    assertThat(parse("--metrics-host", "0.0.0.0", "--metrics-token-file", f.toString()).token())
        .isEqualTo("s3cret");
    Files.writeString(f, "");
    assertThatThrownBy(() -> parse("--metrics-token-file", f.toString()).token())
        .hasMessageContaining(f.toString())
        .hasMessageContaining("empty");
  }
}

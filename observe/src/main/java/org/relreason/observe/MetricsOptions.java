package org.relreason.observe;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --metrics-host} and {@code --metrics-port}: where the process serves {@code /metrics},
 * {@code /health/live} and {@code /health/ready}. The default port differs by role (0 = off for
 * {@code train}, 9400 for the coordinator, 9401 for a worker), so each command builds its own.
 */
public final class MetricsOptions {
  @Option(
      names = "--metrics-host",
      defaultValue = "127.0.0.1",
      description = "address of the /metrics and /health HTTP server (default: ${DEFAULT-VALUE})")
  String host = "127.0.0.1";

  @Option(
      names = "--metrics-port",
      description =
          "port of the /metrics and /health HTTP server, 0 = off (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--metrics-token-file",
      paramLabel = "FILE",
      description =
          "file holding the token /metrics requires (Authorization: Bearer TOKEN); needed when"
              + " --metrics-host is not loopback, unless --metrics-insecure")
  Path tokenFile;

  @Option(
      names = "--metrics-insecure",
      description = "allow a non-loopback /metrics without a token (e.g. scraped in-cluster)")
  boolean insecure;

  /** Options whose port defaults to {@code defaultPort}. */
  public MetricsOptions(int defaultPort) {
    this.port = defaultPort;
  }

  /** Bind address. */
  public String host() {
    return host;
  }

  /** Port, 0 when off. */
  public int port() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--metrics-port must be in [0, 65535], got " + port);
    }
    return port;
  }

  /**
   * The token {@code /metrics} requires, or null for none; as for the dashboard, a non-loopback
   * host needs one unless {@code --metrics-insecure} is given.
   *
   * @throws IllegalArgumentException naming the option or file at fault
   */
  public String token() {
    String token = null;
    if (tokenFile != null) {
      token = DashboardAccess.readToken("--metrics-token-file", tokenFile);
    }
    if (token == null && !insecure && enabled() && !DashboardAccess.isLoopback(host)) {
      throw new IllegalArgumentException(
          "--metrics-host "
              + host
              + " is not a loopback address: give --metrics-token-file FILE (scrapes must then"
              + " carry the token) or, to let anyone who can reach it read the metrics,"
              + " --metrics-insecure");
    }
    return token;
  }

  /** Whether a metrics server is wanted. */
  public boolean enabled() {
    return port() > 0;
  }
}

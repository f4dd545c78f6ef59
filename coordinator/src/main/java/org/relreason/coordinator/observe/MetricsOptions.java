package org.relreason.coordinator.observe;

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

  /** Whether a metrics server is wanted. */
  public boolean enabled() {
    return port() > 0;
  }
}

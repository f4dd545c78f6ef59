package org.relreason.observe;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --dashboard-*} options of {@code train} and the {@code coordinator} role. */
public final class DashboardOptions {
  @Option(
      names = "--dashboard-port",
      defaultValue = "8080",
      description = "port of the live web dashboard, 0 = off (default: ${DEFAULT-VALUE})")
  int port = 8080;

  @Option(
      names = "--dashboard-host",
      defaultValue = "127.0.0.1",
      description =
          "address the dashboard binds (default: ${DEFAULT-VALUE}); any other than loopback"
              + " needs --dashboard-token-file or --dashboard-insecure")
  String host = "127.0.0.1";

  @Option(
      names = "--dashboard-token-file",
      paramLabel = "FILE",
      description =
          "file holding the dashboard's access token; requests must then carry it"
              + " (Authorization: Bearer TOKEN, or ?token=TOKEN in the browser)")
  Path tokenFile;

  @Option(
      names = "--dashboard-insecure",
      description =
          "allow a non-loopback dashboard without a token (anyone who reaches it sees it)")
  boolean insecure;

  /** Options with the defaults (127.0.0.1:8080, no token). */
  public DashboardOptions() {}

  /** Options as given (tests, embedding). */
  public DashboardOptions(String host, int port, Path tokenFile, boolean insecure) {
    this.host = host;
    this.port = port;
    this.tokenFile = tokenFile;
    this.insecure = insecure;
  }

  /**
   * The validated access settings: reads the token file and refuses a non-loopback host without a
   * token unless {@code --dashboard-insecure} is given.
   *
   * @throws IllegalArgumentException naming the option, file or value at fault
   */
  public DashboardAccess access() {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--dashboard-port must be in [0, 65535], got " + port);
    }
    String token = null;
    if (tokenFile != null) {
      token = DashboardAccess.readToken("--dashboard-token-file", tokenFile);
    }
    return new DashboardAccess(host, port, token, insecure);
  }
}

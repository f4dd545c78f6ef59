package org.relreason.observe;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Where the dashboard listens and who may see it.
 *
 * @param host bind address
 * @param port port (0 = dashboard off when built from options; tests bind an ephemeral port through
 *     {@link #ephemeral})
 * @param token the token requests must carry, or null for none
 * @param insecure a non-loopback host without a token was explicitly allowed
 */
public record DashboardAccess(String host, int port, String token, boolean insecure) {
  public DashboardAccess {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--dashboard-host must not be empty");
    }
    if (token == null && !insecure && !isLoopback(host)) {
      throw new IllegalArgumentException(
          "--dashboard-host "
              + host
              + " is not a loopback address: give --dashboard-token-file FILE (requests must then"
              + " carry the token) or, to expose the run to anyone who can reach it,"
              + " --dashboard-insecure");
    }
  }

  /** Loopback, no token, an ephemeral port (tests). */
  public static DashboardAccess ephemeral() {
    return new DashboardAccess("127.0.0.1", 0, null, false);
  }

  /** Whether the dashboard is wanted (a port, or an ephemeral bind in tests). */
  public boolean enabled() {
    return port > 0;
  }

  /**
   * The access token in {@code file} (surrounding white space stripped), for the option {@code
   * flag} that named it; an unreadable or empty file is refused naming both.
   */
  public static String readToken(String flag, java.nio.file.Path file) {
    String token;
    try {
      token = java.nio.file.Files.readString(file).strip();
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(flag + " " + file + ": cannot read it (" + e + ")", e);
    }
    if (token.isEmpty()) {
      throw new IllegalArgumentException(
          flag + " " + file + ": the file is empty, expected a token");
    }
    return token;
  }

  /** Whether {@code host} names only this machine (127.0.0.0/8, ::1, localhost). */
  public static boolean isLoopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--dashboard-host " + host + ": unknown host", e);
    }
  }
}

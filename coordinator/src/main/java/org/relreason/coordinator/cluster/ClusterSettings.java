package org.relreason.coordinator.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How a node joins the cluster; validated on construction, each error naming its command-line flag.
 *
 * @param host address to bind and advertise (Hazelcast and the event bus), e.g. {@code 127.0.0.1}
 * @param members TCP-IP join list (hosts; ports auto-increment from {@code hazelcastPort}); unused
 *     with Kubernetes discovery
 * @param hazelcastPort first Hazelcast member port to try
 * @param clusterName Hazelcast cluster name: members of another cluster on the same hosts and ports
 *     are not joined
 * @param busPort event-bus port, 0 for any free port
 * @param discovery how members find each other
 * @param k8sServiceDns with Kubernetes discovery, the headless service's DNS name, e.g. {@code
 *     relreason-hazelcast.relreason.svc.cluster.local}
 * @param tls event-bus TLS with required client certificates, or {@code null} for plain TCP
 * @param secret the run secret every message is authenticated with (HMAC), or {@code null} for none
 * @param busPublicHost the event-bus host other nodes are told to connect to, or {@code null} for
 *     {@code host}: behind NAT or port forwarding, the address that reaches this node
 * @param busPublicPort the event-bus port other nodes are told to connect to, 0 for the port this
 *     node listens on (the forwarded port behind NAT, or a proxy's)
 */
public record ClusterSettings(
    String host,
    List<String> members,
    int hazelcastPort,
    String clusterName,
    int busPort,
    Discovery discovery,
    String k8sServiceDns,
    Tls tls,
    ClusterSecret secret,
    String busPublicHost,
    int busPublicPort) {

  /** Without a run secret, the event bus advertised where it listens. */
  public ClusterSettings(
      String host,
      List<String> members,
      int hazelcastPort,
      String clusterName,
      int busPort,
      Discovery discovery,
      String k8sServiceDns,
      Tls tls) {
    this(host, members, hazelcastPort, clusterName, busPort, discovery, k8sServiceDns, tls, null);
  }

  /** The event bus advertised where it listens. */
  public ClusterSettings(
      String host,
      List<String> members,
      int hazelcastPort,
      String clusterName,
      int busPort,
      Discovery discovery,
      String k8sServiceDns,
      Tls tls,
      ClusterSecret secret) {
    this(
        host,
        members,
        hazelcastPort,
        clusterName,
        busPort,
        discovery,
        k8sServiceDns,
        tls,
        secret,
        null,
        0);
  }

  /** How Hazelcast members find each other; multicast and auto-detection are never used. */
  public enum Discovery {
    /** An explicit member list ({@code --members}). */
    TCP,
    /** Hazelcast's built-in Kubernetes discovery in DNS-lookup mode ({@code service-dns}). */
    KUBERNETES;

    /** Parses {@code tcp} or {@code kubernetes}. */
    public static Discovery parse(String text) {
      for (Discovery d : values()) {
        if (d.name().equalsIgnoreCase(text.trim())) {
          return d;
        }
      }
      throw new IllegalArgumentException(
          "--discovery: '" + text + "' is not one of tcp, kubernetes");
    }
  }

  /**
   * Event-bus TLS material: PKCS12 stores sharing one password. Every node presents the key store's
   * certificate and accepts only peers whose certificate chains to the trust store (client
   * certificates required); host names are not checked, so the CA is what admits a node.
   *
   * @param keyStore this node's private key and certificate chain
   * @param trustStore the cluster's CA certificate(s)
   * @param password the password of both stores
   */
  public record Tls(Path keyStore, Path trustStore, String password) {
    public Tls {
      requireReadable(keyStore, "--tls-key-store");
      requireReadable(trustStore, "--tls-trust-store");
      if (password == null || password.isEmpty()) {
        throw new IllegalArgumentException(
            "event-bus TLS needs the stores' password: --tls-password-file FILE or environment"
                + " variable RELREASON_TLS_PASSWORD");
      }
    }

    /**
     * TLS from the command-line values, or {@code null} if neither store is given.
     *
     * @param passwordFile file holding the password (trailing newline ignored), or {@code null} to
     *     read environment variable {@code RELREASON_TLS_PASSWORD}
     */
    public static Tls of(Path keyStore, Path trustStore, Path passwordFile) {
      if (keyStore == null && trustStore == null) {
        if (passwordFile != null) {
          throw new IllegalArgumentException(
              "--tls-password-file given without --tls-key-store and --tls-trust-store");
        }
        return null;
      }
      if (keyStore == null || trustStore == null) {
        throw new IllegalArgumentException(
            "event-bus TLS needs both --tls-key-store and --tls-trust-store, got only "
                + (keyStore == null ? "--tls-trust-store" : "--tls-key-store"));
      }
      String password;
      if (passwordFile != null) {
        requireReadable(passwordFile, "--tls-password-file");
        try {
          password = Files.readString(passwordFile, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new IllegalArgumentException(
              "--tls-password-file " + passwordFile + ": " + e.getMessage(), e);
        }
      } else {
        password = System.getenv("RELREASON_TLS_PASSWORD");
      }
      return new Tls(keyStore, trustStore, password);
    }

    @Override
    public String toString() {
      return "Tls[keyStore=" + keyStore + ", trustStore=" + trustStore + ", password=***]";
    }
  }

  public ClusterSettings {
    Objects.requireNonNull(host, "--host");
    members = List.copyOf(members);
    Objects.requireNonNull(clusterName, "--cluster-name");
    Objects.requireNonNull(discovery, "--discovery");
    if (hazelcastPort < 1 || hazelcastPort > 65535) {
      throw new IllegalArgumentException("--hz-port must be in 1..65535, got " + hazelcastPort);
    }
    if (busPort < 0 || busPort > 65535) {
      throw new IllegalArgumentException("--bus-port must be in 0..65535, got " + busPort);
    }
    if (busPublicPort < 0 || busPublicPort > 65535) {
      throw new IllegalArgumentException(
          "--bus-public-port must be in 0..65535, got " + busPublicPort);
    }
    if (busPublicHost != null && busPublicHost.isBlank()) {
      throw new IllegalArgumentException("--bus-public-host must not be blank");
    }
    if (clusterName.isBlank()) {
      throw new IllegalArgumentException("--cluster-name must not be blank");
    }
    if (discovery == Discovery.TCP && members.isEmpty()) {
      throw new IllegalArgumentException("--members: TCP-IP discovery needs at least one member");
    }
    if (discovery == Discovery.KUBERNETES && (k8sServiceDns == null || k8sServiceDns.isBlank())) {
      throw new IllegalArgumentException(
          "--discovery kubernetes needs --k8s-service-dns NAME (the headless service's DNS name,"
              + " e.g. relreason-hazelcast.relreason.svc.cluster.local)");
    }
  }

  /** Loopback TCP-IP on the default ports, plain event bus: what tests and one machine use. */
  public static ClusterSettings loopback(String clusterName) {
    return new ClusterSettings(
        "127.0.0.1", List.of("127.0.0.1"), 5701, clusterName, 0, Discovery.TCP, null, null);
  }

  /** The same settings with event-bus TLS. */
  public ClusterSettings withTls(Tls t) {
    return new ClusterSettings(
        host,
        members,
        hazelcastPort,
        clusterName,
        busPort,
        discovery,
        k8sServiceDns,
        t,
        secret,
        busPublicHost,
        busPublicPort);
  }

  /** The same settings with every message authenticated by {@code s} (HMAC). */
  public ClusterSettings withSecret(ClusterSecret s) {
    return new ClusterSettings(
        host,
        members,
        hazelcastPort,
        clusterName,
        busPort,
        discovery,
        k8sServiceDns,
        tls,
        s,
        busPublicHost,
        busPublicPort);
  }

  /**
   * The same settings with the event bus advertised at {@code publicHost} ({@code null}: {@link
   * #host}) and {@code publicPort} (0: where it listens).
   */
  public ClusterSettings withBusPublic(String publicHost, int publicPort) {
    return new ClusterSettings(
        host,
        members,
        hazelcastPort,
        clusterName,
        busPort,
        discovery,
        k8sServiceDns,
        tls,
        secret,
        publicHost,
        publicPort);
  }

  /** The event-bus host other nodes connect to. */
  public String advertisedBusHost() {
    return busPublicHost != null ? busPublicHost : host;
  }

  /**
   * Whether the node is reachable from other machines: {@code --host} or {@code --bus-public-host}
   * is not a loopback address (a loopback-bound node advertised elsewhere sits behind a forwarder),
   * or members are found through Kubernetes. Such a node needs a run secret.
   */
  public boolean bindsOffLoopback() {
    return discovery == Discovery.KUBERNETES || offLoopback(host) || offLoopback(busPublicHost);
  }

  private static boolean offLoopback(String address) {
    if (address == null) {
      return false;
    }
    try {
      return !java.net.InetAddress.getByName(address).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return true; // cannot tell: assume it can be reached
    }
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "cluster '%s' host %s, %s, hz-port %d, bus-port %d%s, %s, %s",
        clusterName,
        host,
        discovery == Discovery.TCP ? "members " + members : "kubernetes dns " + k8sServiceDns,
        hazelcastPort,
        busPort,
        busPublicHost == null && busPublicPort == 0
            ? ""
            : " advertised as "
                + advertisedBusHost()
                + ":"
                + (busPublicPort == 0 ? "the listening port" : Integer.toString(busPublicPort)),
        tls == null ? "plain event bus" : "event-bus TLS with client certificates",
        secret == null ? "no message authentication" : "HMAC-SHA256 on every message");
  }

  private static void requireReadable(Path file, String flag) {
    if (file == null) {
      throw new IllegalArgumentException(flag + " is required");
    }
    if (!Files.isReadable(file) || !Files.isRegularFile(file)) {
      throw new IllegalArgumentException(flag + ": cannot read file " + file);
    }
  }
}

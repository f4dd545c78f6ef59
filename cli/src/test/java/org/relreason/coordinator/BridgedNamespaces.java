package org.relreason.coordinator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Hosts on one machine for cross-host tests: Linux network namespaces, each joined by a veth pair
 * to a bridge in the root namespace, on a private subnet {@code 10.77.X.0/24} (X random, one not
 * routed here yet). The bridge has {@code .1}, so a node in the test JVM binds it; namespace {@code
 * i} has {@code .(i+2)} and its own loopback. Every name starts with a prefix random per instance
 * (interface names stay within Linux's 15 characters), so parallel runs do not clash. Needs root
 * ({@code CAP_NET_ADMIN}) and {@code ip}; {@link #close()} deletes the namespaces (with their veths
 * and nftables tables) and the bridge.
 */
final class BridgedNamespaces implements AutoCloseable {
  /** One namespace: its name, the root side of its veth pair, its address. */
  record Host(String namespace, String rootVeth, String address) {
    /** The command prefix that runs a program inside the namespace. */
    List<String> exec() {
      return List.of("ip", "netns", "exec", namespace);
    }
  }

  private final String prefix = "rr" + HexFormat.of().toHexDigits(new Random().nextInt());
  private final String bridge = prefix + "br";
  private final String subnet;
  private final List<Host> hosts = new ArrayList<>();
  private boolean bridgeMade;
  // deletes everything if the JVM exits without close() (a timeout, Ctrl-C; not SIGKILL)
  private final Thread onExit = new Thread(this::close, "netns-teardown");

  private BridgedNamespaces(String subnet) {
    this.subnet = subnet;
  }

  /**
   * Creates the bridge and {@code n} namespaces.
   *
   * @throws IOException naming the command that failed and its output (what was made is deleted)
   */
  static BridgedNamespaces create(int n) throws IOException, InterruptedException {
    BridgedNamespaces net = new BridgedNamespaces(freeSubnet());
    Runtime.getRuntime().addShutdownHook(net.onExit);
    try {
      net.makeBridge();
      for (int i = 0; i < n; i++) {
        net.addHost(i);
      }
      return net;
    } catch (IOException | RuntimeException e) {
      net.close();
      throw e;
    }
  }

  /** The bridge's address in the root namespace (this JVM's). */
  String bridgeAddress() {
    return subnet + ".1";
  }

  List<Host> hosts() {
    return List.copyOf(hosts);
  }

  /** Cuts {@code h} off (its veth's root side down) or joins it again. */
  void link(Host h, boolean up) throws IOException, InterruptedException {
    run("ip", "link", "set", h.rootVeth(), up ? "up" : "down");
  }

  /** Loads an nftables ruleset (or commands) inside {@code h}'s namespace. */
  void nftLoad(Host h, String ruleset) throws IOException, InterruptedException {
    runWithInput(ruleset, "ip", "netns", "exec", h.namespace(), "nft", "-f", "-");
  }

  /** Runs {@code nft args...} inside {@code h}'s namespace; its output. */
  String nft(Host h, String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", h.namespace(), "nft"));
    cmd.addAll(List.of(args));
    return run(cmd.toArray(String[]::new));
  }

  private void makeBridge() throws IOException, InterruptedException {
    run("ip", "link", "add", bridge, "type", "bridge");
    bridgeMade = true;
    run("ip", "addr", "add", bridgeAddress() + "/24", "dev", bridge);
    run("ip", "link", "set", bridge, "up");
  }

  private void addHost(int i) throws IOException, InterruptedException {
    Host h = new Host(prefix + "-" + i, prefix + "h" + i, subnet + "." + (i + 2));
    String inner = prefix + "n" + i;
    run("ip", "netns", "add", h.namespace());
    hosts.add(h); // from here on close() deletes it, and the veth with it
    run("ip", "-n", h.namespace(), "link", "set", "lo", "up");
    run("ip", "link", "add", h.rootVeth(), "type", "veth", "peer", "name", inner);
    run("ip", "link", "set", inner, "netns", h.namespace());
    run("ip", "link", "set", h.rootVeth(), "master", bridge, "up");
    run("ip", "-n", h.namespace(), "addr", "add", h.address() + "/24", "dev", inner);
    run("ip", "-n", h.namespace(), "link", "set", inner, "up");
  }

  /** A {@code 10.77.X} with no address or route in it here yet. */
  private static String freeSubnet() throws IOException, InterruptedException {
    String taken = run("ip", "-4", "route", "show") + run("ip", "-4", "addr", "show");
    Random random = new Random();
    for (int i = 0; i < 50; i++) {
      String subnet = "10.77." + random.nextInt(256);
      if (!taken.contains(subnet + ".")) {
        return subnet;
      }
    }
    throw new IOException("no free 10.77.X.0/24 subnet found");
  }

  /** Deletes the namespaces (their veths go with them) and the bridge; never throws. */
  @Override
  public synchronized void close() {
    if (Thread.currentThread() != onExit) {
      try {
        Runtime.getRuntime().removeShutdownHook(onExit);
      } catch (IllegalStateException e) {
        // the JVM is exiting: the hook runs (or ran) this too
      }
    }
    for (Host h : hosts) {
      quietly("ip", "netns", "delete", h.namespace());
      if (exists(h.rootVeth())) { // only when creating it failed halfway
        quietly("ip", "link", "delete", h.rootVeth());
      }
    }
    hosts.clear();
    if (bridgeMade) {
      quietly("ip", "link", "delete", bridge);
      bridgeMade = false;
    }
  }

  private static boolean exists(String link) {
    try {
      run("ip", "link", "show", link);
      return true;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void quietly(String... cmd) {
    try {
      run(cmd);
    } catch (IOException | InterruptedException e) {
      System.err.println("teardown: " + e.getMessage());
    }
  }

  /** Runs {@code cmd}; its output, or an exception naming it and its output. */
  private static String run(String... cmd) throws IOException, InterruptedException {
    return runWithInput(null, cmd);
  }

  /** As {@link #run}, with {@code stdin} (none if null) as the command's input. */
  private static String runWithInput(String stdin, String... cmd)
      throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    if (stdin != null) {
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("'" + String.join(" ", cmd) + "' failed: " + out.strip());
    }
    return out;
  }
}

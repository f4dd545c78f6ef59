package org.relreason.coordinator;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * PKCS12 stores made with the JDK's {@code keytool}, as README describes: a CA, a trust store
 * holding its certificate, and node key stores whose certificates the CA signed.
 */
final class TestCertificates {
  static final String PASSWORD = "changeit-test";

  private final Path dir;
  private final String ca;

  /** Creates CA {@code name} in {@code dir}: {@code <name>-ca.p12} and {@code <name>-trust.p12}. */
  TestCertificates(Path dir, String name) throws Exception {
    this.dir = dir;
    this.ca = name;
    keytool(
        "-genkeypair",
        "-alias",
        "ca",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + name + " CA",
        "-ext",
        "bc:c",
        "-validity",
        "2",
        "-keystore",
        caStore().toString());
    keytool(
        "-exportcert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        caStore().toString(),
        "-file",
        caPem().toString());
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem().toString(),
        "-keystore",
        trustStore().toString());
  }

  Path trustStore() {
    return dir.resolve(ca + "-trust.p12");
  }

  private Path caStore() {
    return dir.resolve(ca + "-ca.p12");
  }

  private Path caPem() {
    return dir.resolve(ca + "-ca.pem");
  }

  /** A node key store {@code <ca>-<node>.p12}: key pair, certificate signed by this CA. */
  Path node(String node) throws Exception {
    Path store = dir.resolve(ca + "-" + node + ".p12");
    Path csr = dir.resolve(ca + "-" + node + ".csr");
    Path pem = dir.resolve(ca + "-" + node + ".pem");
    keytool(
        "-genkeypair",
        "-alias",
        "node",
        "-keyalg",
        "EC",
        "-groupname",
        "secp256r1",
        "-dname",
        "CN=" + node,
        "-validity",
        "2",
        "-keystore",
        store.toString());
    keytool("-certreq", "-alias", "node", "-keystore", store.toString(), "-file", csr.toString());
    keytool(
        "-gencert",
        "-rfc",
        "-alias",
        "ca",
        "-keystore",
        caStore().toString(),
        "-infile",
        csr.toString(),
        "-outfile",
        pem.toString(),
        "-ext",
        "san=ip:127.0.0.1",
        "-validity",
        "2");
    // the CA must be known to import the signed chain; it is removed again afterwards
    keytool(
        "-importcert",
        "-noprompt",
        "-alias",
        "ca",
        "-file",
        caPem().toString(),
        "-keystore",
        store.toString());
    keytool(
        "-importcert", "-alias", "node", "-file", pem.toString(), "-keystore", store.toString());
    keytool("-delete", "-alias", "ca", "-keystore", store.toString());
    return store;
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    cmd.addAll(List.of(args));
    cmd.addAll(List.of("-storetype", "PKCS12", "-storepass", PASSWORD));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + out);
    }
  }
}

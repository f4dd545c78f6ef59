package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PfxOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.coordinator.cluster.ClusterSettings;
import org.relreason.coordinator.cluster.ClusterSupport;
import picocli.CommandLine;

/**
 * The flags of the clustered roles produce exactly the intended Hazelcast join and event-bus
 * settings (there is no Kubernetes here, so its discovery is checked on the produced Config), and
 * bad combinations fail naming the flag.
 */
class ClusterSettingsTest {

  private static ClusterSettings parse(String... args) {
    ClusterMain.WorkerRole role = new ClusterMain.WorkerRole();
    new CommandLine(role).parseArgs(args);
    return role.common.settings();
  }

  @Test
  void kubernetesDiscoveryIsTheOnlyJoinMethodAndUsesServiceDns() {
    ClusterSettings s =
        parse(
            "--id",
            "w0",
            "--discovery",
            "kubernetes",
            "--k8s-service-dns",
            "relreason-hazelcast.relreason.svc.cluster.local",
            "--host",
            "10.1.2.3",
            "--bus-port",
            "5800",
            "--insecure-cluster");
    Config hz = ClusterSupport.hazelcastConfig(s);
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getKubernetesConfig().getProperties())
        .isEqualTo(Map.of("service-dns", "relreason-hazelcast.relreason.svc.cluster.local"));
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(join.getAwsConfig().isEnabled()).isFalse();
    assertThat(join.getGcpConfig().isEnabled()).isFalse();
    assertThat(join.getAzureConfig().isEnabled()).isFalse();
    assertThat(join.getEurekaConfig().isEnabled()).isFalse();
    assertThat(hz.getNetworkConfig().getInterfaces().getInterfaces()).containsExactly("10.1.2.3");
    assertThat(hz.getNetworkConfig().getPort()).isEqualTo(5701);
    assertThat(hz.getClusterName()).isEqualTo("relreason");
    assertThat(hz.getProperty("hazelcast.phone.home.enabled")).isEqualTo("false");
    EventBusOptions bus = ClusterSupport.eventBusOptions(s);
    assertThat(bus.getPort()).isEqualTo(5800);
    assertThat(bus.getHost()).isEqualTo("10.1.2.3");
    assertThat(bus.isSsl()).isFalse();
  }

  @Test
  void tcpDiscoveryJoinsOnlyTheListedMembers() {
    ClusterSettings s =
        parse("--id", "w0", "--members", "127.0.0.1,127.0.0.2", "--hz-port", "5710");
    JoinConfig join = ClusterSupport.hazelcastConfig(s).getNetworkConfig().getJoin();
    assertThat(join.getTcpIpConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().getMembers()).containsExactly("127.0.0.1", "127.0.0.2");
    assertThat(join.getKubernetesConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    assertThat(join.getAutoDetectionConfig().isEnabled()).isFalse();
    assertThat(ClusterSupport.eventBusOptions(s).getPort()).isZero();
  }

  @Test
  void busPublicFlagsAreWhatTheEventBusAdvertises() {
    ClusterSettings s =
        parse(
            "--id",
            "w0",
            "--host",
            "10.1.2.3",
            "--bus-port",
            "5800",
            "--bus-public-host",
            "203.0.113.7",
            "--bus-public-port",
            "15800",
            "--insecure-cluster");
    EventBusOptions bus = ClusterSupport.eventBusOptions(s);
    assertThat(bus.getHost()).isEqualTo("10.1.2.3");
    assertThat(bus.getPort()).isEqualTo(5800);
    assertThat(bus.getClusterPublicHost()).isEqualTo("203.0.113.7");
    assertThat(bus.getClusterPublicPort()).isEqualTo(15800);
    assertThat(s.toString()).contains("advertised as 203.0.113.7:15800");
    // without them the bus is advertised where it listens (the port is the guard's, set at start)
    EventBusOptions plain = ClusterSupport.eventBusOptions(parse("--id", "w0"));
    assertThat(plain.getClusterPublicHost()).isEqualTo("127.0.0.1");
    assertThat(plain.getClusterPublicPort()).isEqualTo(EventBusOptions.DEFAULT_CLUSTER_PUBLIC_PORT);
    assertThatThrownBy(() -> parse("--id", "w0", "--bus-public-port", "-1"))
        .hasMessageContaining("--bus-public-port");
  }

  @Test
  void kubernetesWithoutServiceDnsIsRefusedNamingTheFlag() {
    assertThatThrownBy(() -> parse("--id", "w0", "--discovery", "kubernetes"))
        .hasMessageContaining("--k8s-service-dns");
    assertThatThrownBy(() -> parse("--id", "w0", "--discovery", "dns"))
        .hasMessageContaining("--discovery")
        .hasMessageContaining("'dns'");
    assertThatThrownBy(() -> parse("--id", "w0", "--bus-port", "70000"))
        .hasMessageContaining("--bus-port");
  }

  @Test
  void tlsFlagsTurnOnTlsWithRequiredClientCertificates(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("node.p12"), "x");
    Path trust = Files.writeString(dir.resolve("trust.p12"), "x");
    Path pw = Files.writeString(dir.resolve("pw"), "s3cret\n");
    ClusterSettings s =
        parse(
            "--id", "w0",
            "--tls-key-store", key.toString(),
            "--tls-trust-store", trust.toString(),
            "--tls-password-file", pw.toString());
    assertThat(s.tls().password()).isEqualTo("s3cret");
    assertThat(s.tls().toString()).doesNotContain("s3cret");
    EventBusOptions bus = ClusterSupport.eventBusOptions(s);
    assertThat(bus.isSsl()).isTrue();
    assertThat(bus.getClientAuth()).isEqualTo(ClientAuth.REQUIRED);
    assertThat(((PfxOptions) bus.getKeyCertOptions()).getPath()).isEqualTo(key.toString());
    assertThat(((PfxOptions) bus.getTrustOptions()).getPath()).isEqualTo(trust.toString());
  }

  @Test
  void incompleteTlsFlagsAreRefusedNamingTheFlagOrFile(@TempDir Path dir) throws Exception {
    Path key = Files.writeString(dir.resolve("node.p12"), "x");
    Path pw = Files.writeString(dir.resolve("pw"), "s3cret");
    assertThatThrownBy(() -> parse("--id", "w0", "--tls-key-store", key.toString()))
        .hasMessageContaining("--tls-trust-store");
    Path missing = dir.resolve("nope.p12");
    assertThatThrownBy(
            () ->
                parse(
                    "--id", "w0",
                    "--tls-key-store", key.toString(),
                    "--tls-trust-store", missing.toString(),
                    "--tls-password-file", pw.toString()))
        .hasMessageContaining("--tls-trust-store")
        .hasMessageContaining(missing.toString());
    assertThatThrownBy(() -> parse("--id", "w0", "--tls-password-file", pw.toString()))
        .hasMessageContaining("--tls-key-store");
  }

  @Test
  void restartedCoordinatorKeepsTheRunIdStoredInItsCheckpointDirectory(@TempDir Path dir)
      throws Exception {
    String first = ClusterMain.runId(null, dir.toString());
    assertThat(ClusterMain.runId(null, dir.toString())).isEqualTo(first);
    assertThat(Files.readString(dir.resolve("run-id")).strip()).isEqualTo(first);
    assertThat(ClusterMain.runId("explicit", dir.toString())).isEqualTo("explicit");
    assertThat(ClusterMain.runId(null, dir.toString())).isEqualTo("explicit");
    assertThat(ClusterMain.runId(null, "")).isNotEqualTo(ClusterMain.runId(null, ""));
  }
}

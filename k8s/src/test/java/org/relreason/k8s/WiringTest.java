package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.relreason.k8s.ClusterContract.COORDINATOR;
import static org.relreason.k8s.ClusterContract.WORKER;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.relreason.k8s.Rendered.Args;
import org.relreason.model.config.TrainConfig;

/**
 * The base and each overlay, rendered and parsed into typed objects, are wired together: names,
 * ports, discovery, probes, network policy, monitoring and mounted files agree with each other and
 * with the clustered roles' command-line contract.
 */
class WiringTest {
  private static final String PROJECT_LABEL = "app.kubernetes.io/part-of";
  private static final List<String> ROLES = List.of(COORDINATOR, WORKER);

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void everyStatefulSetNamesAHeadlessServiceThatSelectsItsPods(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    assertThat(r.all(StatefulSet.class)).hasSize(2);
    for (StatefulSet s : r.all(StatefulSet.class)) {
      Service svc = r.one(Service.class, s.getSpec().getServiceName());
      assertThat(svc.getSpec().getClusterIP()).as("clusterIP of %s", svc).isEqualTo("None");
      assertThat(svc.getSpec().getPublishNotReadyAddresses()).isTrue();
      assertThat(podLabels(s))
          .as("pods of %s", s.getMetadata().getName())
          .containsAllEntriesOf(svc.getSpec().getSelector());
      assertThat(podLabels(s)).containsAllEntriesOf(s.getSpec().getSelector().getMatchLabels());
      for (ServicePort p : svc.getSpec().getPorts()) {
        assertThat(containerPort(s, p.getTargetPort()))
            .as("service %s port %s", svc.getMetadata().getName(), p.getName())
            .isEqualTo(p.getPort());
      }
    }
    assertThat(r.role(COORDINATOR).getSpec().getReplicas()).isEqualTo(1);
    assertThat(r.role(WORKER).getSpec().getPodManagementPolicy()).isEqualTo("Parallel");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void containerPortsAreTheOnesTheFlagsOpen(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      Args a = Rendered.args(s);
      Map<String, Integer> expected = new HashMap<>();
      expected.put("hazelcast", a.intValue("--hz-port"));
      expected.put("eventbus", a.intValue("--bus-port"));
      expected.put("metrics", a.intValue("--metrics-port"));
      if (role.equals(COORDINATOR)) {
        expected.put("dashboard", a.intValue("--dashboard-port"));
      }
      Map<String, Integer> declared =
          Rendered.container(s).getPorts().stream()
              .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
      assertThat(declared).as("%s: container ports", role).isEqualTo(expected);
    }
    Args c = Rendered.args(r.role(COORDINATOR));
    Args w = Rendered.args(r.role(WORKER));
    assertThat(c.intValue("--hz-port")).isEqualTo(ClusterContract.HAZELCAST_PORT);
    assertThat(c.intValue("--bus-port")).isEqualTo(ClusterContract.EVENT_BUS_PORT);
    assertThat(c.intValue("--metrics-port")).isEqualTo(ClusterContract.COORDINATOR_METRICS_PORT);
    assertThat(c.intValue("--dashboard-port")).isEqualTo(ClusterContract.DASHBOARD_PORT);
    assertThat(w.intValue("--metrics-port")).isEqualTo(ClusterContract.WORKER_METRICS_PORT);
    assertThat(w.intValue("--hz-port")).isEqualTo(c.intValue("--hz-port"));
    assertThat(w.intValue("--bus-port")).isEqualTo(c.intValue("--bus-port"));
    assertThat(w.value("--cluster-name")).isEqualTo(c.value("--cluster-name"));
    assertThat(c.intValue("--workers"))
        .as("--workers of the coordinator = worker replicas")
        .isEqualTo(r.role(WORKER).getSpec().getReplicas());
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void hazelcastFindsEveryMemberThroughAHeadlessServiceInThePodsNamespace(String dir)
      throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      Args a = Rendered.args(s);
      assertThat(a.value("--discovery")).isEqualTo("kubernetes");
      assertThat(a.flags())
          .as("%s: TCP-IP members are not used", role)
          .doesNotContainKey("--members");
      // Hazelcast's DNS-lookup mode (its `service-dns` key) resolves the headless service's A
      // records and connects to each on `service-port`, which defaults to 5701 when unset.
      String dns = a.value("--k8s-service-dns");
      String suffix = ".$(POD_NAMESPACE).svc.cluster.local";
      assertThat(dns).as("%s: --k8s-service-dns", role).endsWith(suffix);
      assertThat(fieldRef(s, "POD_NAMESPACE")).isEqualTo("metadata.namespace");
      Service svc = r.one(Service.class, dns.substring(0, dns.length() - suffix.length()));
      assertThat(svc.getSpec().getClusterIP()).isEqualTo("None");
      assertThat(svc.getSpec().getPublishNotReadyAddresses())
          .as("not-ready pods must resolve: a pod is ready only after it joined")
          .isTrue();
      for (String other : ROLES) {
        assertThat(podLabels(r.role(other)))
            .as("%s selects the %s pods", svc.getMetadata().getName(), other)
            .containsAllEntriesOf(svc.getSpec().getSelector());
      }
      assertThat(svc.getSpec().getPorts())
          .extracting(ServicePort::getPort)
          .containsExactly(a.intValue("--hz-port"));
      assertThat(a.intValue("--hz-port")).isEqualTo(ClusterContract.HAZELCAST_PORT);
      assertThat(a.value("--host")).isEqualTo("$(POD_IP)");
      assertThat(fieldRef(s, "POD_IP")).isEqualTo("status.podIP");
    }
    Args w = Rendered.args(r.role(WORKER));
    assertThat(w.value("--id")).isEqualTo("$(POD_NAME)");
    assertThat(fieldRef(r.role(WORKER), "POD_NAME")).isEqualTo("metadata.name");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void probesAskTheHealthEndpointsOnTheMetricsPort(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      Args a = Rendered.args(s);
      Container c = Rendered.container(s);
      assertProbe(s, c.getLivenessProbe(), "/health/live", a.intValue("--metrics-port"));
      assertProbe(s, c.getReadinessProbe(), "/health/ready", a.intValue("--metrics-port"));
      // The kubelet probes the pod IP, so the metrics server cannot stay on loopback.
      assertThat(a.value("--metrics-host")).isEqualTo("0.0.0.0");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void networkPolicyAdmitsOnlyProjectPodsToTheClusterPorts(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    NetworkPolicy np = r.one(NetworkPolicy.class, "relreason");
    for (String role : ROLES) {
      assertThat(podLabels(r.role(role)))
          .containsAllEntriesOf(labels(np.getSpec().getPodSelector()));
    }
    assertThat(np.getSpec().getPolicyTypes()).contains("Ingress");
    Set<Integer> clusterPorts = new TreeSet<>();
    Set<Integer> metricsPorts = new TreeSet<>();
    Set<Integer> allPorts = new TreeSet<>();
    for (String role : ROLES) {
      Args a = Rendered.args(r.role(role));
      clusterPorts.add(a.intValue("--hz-port"));
      clusterPorts.add(a.intValue("--bus-port"));
      metricsPorts.add(a.intValue("--metrics-port"));
      Rendered.container(r.role(role)).getPorts().forEach(p -> allPorts.add(p.getContainerPort()));
    }
    Set<Integer> admitted = new TreeSet<>();
    boolean clusterRule = false;
    boolean metricsRule = false;
    for (NetworkPolicyIngressRule rule : np.getSpec().getIngress()) {
      Set<Integer> ports = ports(rule);
      admitted.addAll(ports);
      assertThat(rule.getFrom()).as("every rule names its sources").isNotEmpty();
      if (ports.stream().anyMatch(clusterPorts::contains)) {
        clusterRule = true;
        assertThat(ports).as("the Hazelcast/event-bus rule's ports").isEqualTo(clusterPorts);
        for (NetworkPolicyPeer peer : rule.getFrom()) {
          assertThat(peer.getNamespaceSelector()).as("no other namespace").isNull();
          assertThat(peer.getIpBlock()).isNull();
          Map<String, String> sel = labels(peer.getPodSelector());
          assertThat(sel).as("only the project's pods").containsKey(PROJECT_LABEL);
          for (String role : ROLES) {
            assertThat(podLabels(r.role(role))).containsAllEntriesOf(sel);
          }
        }
      }
      if (ports.stream().anyMatch(metricsPorts::contains)) {
        metricsRule = true;
        assertThat(ports).isEqualTo(metricsPorts);
        assertThat(rule.getFrom())
            .allSatisfy(
                p ->
                    assertThat(labels(p.getNamespaceSelector()))
                        .containsEntry("kubernetes.io/metadata.name", "monitoring"));
      }
    }
    assertThat(clusterRule && metricsRule).as("cluster and metrics rules exist").isTrue();
    assertThat(admitted).as("every container port is reachable by someone").isEqualTo(allPorts);
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void podMonitorScrapesTheMetricsPortOfEveryPod(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    List<GenericKubernetesResource> monitors = r.generic("monitoring.coreos.com/v1", "PodMonitor");
    assertThat(monitors).hasSize(1);
    Map<String, Object> spec = monitors.get(0).get("spec");
    @SuppressWarnings("unchecked")
    Map<String, String> sel =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> endpoints =
        (List<Map<String, Object>>) spec.get("podMetricsEndpoints");
    assertThat(endpoints).hasSize(1);
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      assertThat(podLabels(s)).containsAllEntriesOf(sel);
      assertThat(containerPort(s, new IntOrString(endpoints.get(0).get("port"))))
          .isEqualTo(Rendered.args(s).intValue("--metrics-port"));
    }
    assertThat(endpoints.get(0).get("path")).isEqualTo("/metrics");
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void everyFlagIsInTheContractAndEveryFileItNamesIsMounted(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      Args a = Rendered.args(s);
      assertThat(ClusterContract.flags(role))
          .as("%s: flags of the contract", role)
          .containsAll(a.flags().keySet());
      for (String flag :
          List.of(
              "--config",
              "--tls-key-store",
              "--tls-trust-store",
              "--tls-password-file",
              "--cluster-secret-file")) {
        assertMounted(r, s, a.value(flag));
      }
    }
    Args c = Rendered.args(r.role(COORDINATOR));
    // A dashboard on a non-loopback address must ask for a token (the contract refuses it else).
    assertThat(c.value("--dashboard-host")).isEqualTo("0.0.0.0");
    assertThat(c.flags()).doesNotContainKey("--dashboard-insecure");
    assertMounted(r, r.role(COORDINATOR), c.value("--dashboard-token-file"));
  }

  /**
   * Every pod binds off loopback, so every pod needs the run secret (the contract refuses to start
   * without it): the same key of the same Secret, never opened to others, and no opt-out.
   */
  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void everyPodAuthenticatesMessagesWithTheSameRunSecret(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    Set<String> sources = new TreeSet<>();
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      Args a = Rendered.args(s);
      assertThat(a.flags()).as(role).doesNotContainKey("--insecure-cluster");
      String file = a.value("--cluster-secret-file");
      assertThat(file).as("%s: --cluster-secret-file", role).isNotBlank();
      VolumeMount m = mountHolding(s, file);
      assertThat(m.getReadOnly()).as("%s: read-only mount", role).isTrue();
      io.fabric8.kubernetes.api.model.SecretVolumeSource secret =
          volume(s, m.getName()).getSecret();
      assertThat(secret).as("%s: %s comes from a Secret", role, file).isNotNull();
      assertThat(secret.getDefaultMode())
          .as("%s: no permission for others (the pod refuses a file others may read)", role)
          .isNotNull()
          .satisfies(mode -> assertThat(mode & 0077).isZero());
      String key =
          secret.getItems().stream()
              .filter(
                  i ->
                      i.getPath()
                          .equals(Path.of(m.getMountPath()).relativize(Path.of(file)).toString()))
              .findFirst()
              .orElseThrow()
              .getKey();
      sources.add(secret.getSecretName() + "/" + key);
    }
    assertThat(sources).as("one secret for all pods").hasSize(1);
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void checkpointsGoToTheCoordinatorsPersistentVolume(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    StatefulSet s = r.role(COORDINATOR);
    String checkpointDir = Rendered.args(s).sets().get("checkpoint-dir");
    assertThat(checkpointDir).as("--set checkpoint-dir").isNotBlank();
    VolumeMount m = mountHolding(s, checkpointDir + "/x");
    assertThat(m.getMountPath()).isEqualTo(checkpointDir);
    assertThat(s.getSpec().getVolumeClaimTemplates())
        .extracting(pvc -> pvc.getMetadata().getName())
        .containsExactly(m.getName());
    assertThat(m.getReadOnly()).isNotEqualTo(Boolean.TRUE);
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void runConfigIsAValidTrainConfigForBothRoles(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      Args a = Rendered.args(s);
      String path = a.value("--config");
      ConfigMap cm =
          r.one(
              ConfigMap.class, volume(s, mountHolding(s, path).getName()).getConfigMap().getName());
      String json = cm.getData().get(Path.of(path).getFileName().toString());
      Path tmp = Files.createTempFile("run-config", ".json");
      try {
        Files.writeString(tmp, json);
        Map<String, String> values = new HashMap<>(TrainConfig.readFile(tmp));
        values.putAll(a.sets());
        TrainConfig config = TrainConfig.of(values);
        assertThat(config.dataset()).isNotBlank();
      } finally {
        Files.delete(tmp);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void podsRunAsNonRootWithRequestsAndLimits(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    for (String role : ROLES) {
      StatefulSet s = r.role(role);
      PodSpec pod = s.getSpec().getTemplate().getSpec();
      assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
      assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
      Container c = Rendered.container(s);
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
      assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");
      assertThat(c.getImage()).startsWith("ghcr.io/relreason/relreason:");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void grafanaDashboardConfigMapIsLabelledForTheSidecar(String dir) throws Exception {
    Rendered r = Rendered.of(Path.of(dir));
    ConfigMap cm = r.one(ConfigMap.class, "relreason-grafana-dashboard");
    assertThat(cm.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    assertThat(cm.getData().get("relreason-dashboard.json"))
        .isEqualTo(Files.readString(Path.of("base/grafana/relreason-dashboard.json")));
  }

  // ---------------------------------------------------------------------------------------------

  static Map<String, String> podLabels(StatefulSet s) {
    return s.getSpec().getTemplate().getMetadata().getLabels();
  }

  private static Map<String, String> labels(LabelSelector sel) {
    assertThat(sel).as("label selector").isNotNull();
    assertThat(sel.getMatchExpressions()).as("only matchLabels are checked").isNullOrEmpty();
    return sel.getMatchLabels() == null ? Map.of() : sel.getMatchLabels();
  }

  private static int containerPort(StatefulSet s, IntOrString port) {
    if (port.getIntVal() != null) {
      return port.getIntVal();
    }
    return Rendered.container(s).getPorts().stream()
        .filter(p -> port.getStrVal().equals(p.getName()))
        .findFirst()
        .orElseThrow(
            () ->
                new AssertionError(
                    s.getMetadata().getName() + " has no port named " + port.getStrVal()))
        .getContainerPort();
  }

  private static Set<Integer> ports(NetworkPolicyIngressRule rule) {
    Set<Integer> out = new TreeSet<>();
    for (NetworkPolicyPort p : rule.getPorts()) {
      assertThat(p.getProtocol()).isEqualTo("TCP");
      assertThat(p.getPort().getIntVal()).as("numeric policy port").isNotNull();
      out.add(p.getPort().getIntVal());
    }
    return out;
  }

  private static String fieldRef(StatefulSet s, String env) {
    EnvVar v =
        Rendered.container(s).getEnv().stream()
            .filter(e -> e.getName().equals(env))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError(s.getMetadata().getName() + " has no env " + env));
    return v.getValueFrom().getFieldRef().getFieldPath();
  }

  private static void assertProbe(StatefulSet s, Probe probe, String path, int metricsPort) {
    assertThat(probe).as("%s probe for %s", s.getMetadata().getName(), path).isNotNull();
    assertThat(probe.getHttpGet().getPath()).isEqualTo(path);
    assertThat(containerPort(s, probe.getHttpGet().getPort())).isEqualTo(metricsPort);
  }

  private static VolumeMount mountHolding(StatefulSet s, String file) {
    return Rendered.container(s).getVolumeMounts().stream()
        .filter(m -> Path.of(file).startsWith(Path.of(m.getMountPath())))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(s.getMetadata().getName() + ": nothing mounted at " + file));
  }

  private static Volume volume(StatefulSet s, String name) {
    return s.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(s.getMetadata().getName() + " has no volume " + name));
  }

  /** The file exists in the pod: a ConfigMap key or a Secret item lands exactly at that path. */
  private static void assertMounted(Rendered r, StatefulSet s, String file) {
    VolumeMount m = mountHolding(s, file);
    String relative = Path.of(m.getMountPath()).relativize(Path.of(file)).toString();
    Volume v = volume(s, m.getName());
    if (v.getConfigMap() != null) {
      ConfigMap cm = r.one(ConfigMap.class, v.getConfigMap().getName());
      assertThat(cm.getData()).as("%s: ConfigMap key for %s", r.dir, file).containsKey(relative);
    } else {
      assertThat(v.getSecret())
          .as("%s: volume %s is a ConfigMap or Secret", file, v.getName())
          .isNotNull();
      assertThat(v.getSecret().getItems())
          .as("%s: Secret %s items", file, v.getSecret().getSecretName())
          .extracting(KeyToPath::getPath)
          .contains(relative);
    }
  }
}

package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.relreason.k8s.ClusterContract.COORDINATOR;
import static org.relreason.k8s.ClusterContract.WORKER;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the cpu and gpu overlays change, and that the tests render them as kustomize does. */
class OverlayTest {
  private static final String GPU = "nvidia.com/gpu";

  @Test
  void gpuWorkersRequestAGpuRunTheCudaImageAndLandOnGpuNodes() throws Exception {
    Rendered gpu = Rendered.of(Path.of("overlays/gpu"));
    StatefulSet worker = gpu.role(WORKER);
    Container c = Rendered.container(worker);
    assertThat(c.getResources().getLimits()).containsEntry(GPU, new Quantity("1"));
    assertThat(c.getImage()).isEqualTo("ghcr.io/relreason/relreason:0.1.0-cuda");
    PodSpec pod = worker.getSpec().getTemplate().getSpec();
    assertThat(pod.getNodeSelector()).containsEntry("nvidia.com/gpu.present", "true");
    assertThat(pod.getTolerations())
        .anySatisfy(t -> assertThat(t.getKey()).isEqualTo(GPU))
        .allSatisfy(t -> assertThat(t.getEffect()).isEqualTo("NoSchedule"));
    // The patch merged into the base container instead of adding a second one.
    assertThat(c.getArgs()).isEqualTo(Rendered.container(base().role(WORKER)).getArgs());
    assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");

    StatefulSet coordinator = gpu.role(COORDINATOR);
    Container cc = Rendered.container(coordinator);
    assertThat(cc.getImage()).isEqualTo("ghcr.io/relreason/relreason:0.1.0");
    assertThat(cc.getResources().getLimits()).doesNotContainKey(GPU);
  }

  @Test
  void cpuOverlayRunsTheCpuImageWithoutGpus() throws Exception {
    Rendered cpu = Rendered.of(Path.of("overlays/cpu"));
    for (StatefulSet s : cpu.all(StatefulSet.class)) {
      Container c = Rendered.container(s);
      assertThat(c.getImage()).isEqualTo("ghcr.io/relreason/relreason:0.1.0");
      assertThat(c.getResources().getLimits()).doesNotContainKey(GPU);
      assertThat(s.getSpec().getTemplate().getSpec().getNodeSelector()).isNullOrEmpty();
    }
  }

  @Test
  void miniKustomizeRefusesFilesOutsideTheKustomization() throws Exception {
    Path dir = Files.createTempDirectory("kustomize");
    Path sub = Files.createDirectory(dir.resolve("sub"));
    Files.writeString(dir.resolve("outside.yaml"), "apiVersion: v1\nkind: ConfigMap\n");
    Files.writeString(sub.resolve("kustomization.yaml"), "resources:\n  - ../outside.yaml\n");
    try {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MiniKustomize.render(sub))
          .hasMessageContaining("outside the kustomization's directory");
      Files.writeString(sub.resolve("kustomization.yaml"), "namePrefix: x-\n");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> MiniKustomize.render(sub))
          .hasMessageContaining("'namePrefix' is not supported");
    } finally {
      Files.delete(sub.resolve("kustomization.yaml"));
      Files.delete(sub);
      Files.delete(dir.resolve("outside.yaml"));
      Files.delete(dir);
    }
  }

  /**
   * Where kubectl is installed, its kustomize renders exactly what the tests check. Skipped without
   * kubectl (not a Debian package); README says how to run it.
   */
  @ParameterizedTest
  @ValueSource(strings = {"base", "overlays/cpu", "overlays/gpu"})
  void miniKustomizeRendersWhatKubectlKustomizeRenders(String dir) throws Exception {
    String kubectl = onPath("kubectl");
    assumeTrue(kubectl != null, "kubectl is not on PATH");
    Path out = Files.createTempFile("kustomize", ".yaml");
    try {
      Process p =
          new ProcessBuilder(kubectl, "kustomize", dir)
              .redirectOutput(out.toFile())
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("kubectl kustomize finished").isTrue();
      assertThat(p.exitValue()).as("kubectl kustomize %s", dir).isZero();
      Map<String, ObjectNode> theirs = byKindAndName(MiniKustomize.readDocuments(out));
      Map<String, ObjectNode> ours = byKindAndName(MiniKustomize.render(Path.of(dir)));
      assertThat(ours.keySet()).isEqualTo(theirs.keySet());
      for (String key : ours.keySet()) {
        // Compare as typed objects: kubectl may print `1` where the file says "1".
        assertThat(Rendered.typed(java.util.List.of(ours.get(key))))
            .as("%s in %s", key, dir)
            .isEqualTo(Rendered.typed(java.util.List.of(theirs.get(key))));
      }
    } finally {
      Files.delete(out);
    }
  }

  private static Rendered base() throws Exception {
    return Rendered.of(Path.of("base"));
  }

  private static Map<String, ObjectNode> byKindAndName(java.util.List<ObjectNode> objects) {
    Map<String, ObjectNode> out = new TreeMap<>();
    for (ObjectNode o : objects) {
      String key = o.path("kind").asText() + "/" + o.path("metadata").path("name").asText();
      assertThat(out.put(key, o)).as("duplicate %s", key).isNull();
    }
    return out;
  }

  private static String onPath(String exe) {
    String path = System.getenv().getOrDefault("PATH", "");
    return Arrays.stream(path.split(File.pathSeparator))
        .map(d -> Path.of(d, exe))
        .filter(Files::isExecutable)
        .map(Path::toString)
        .findFirst()
        .orElse(null);
  }
}

package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image the manifests run matches them: its user is the pods' runAsUser, its entry point the
 * command line, and the dataset directory of the run config is in it. (No Docker engine here to
 * build it; this keeps the Dockerfile and the manifests from drifting apart.)
 */
class DockerfileTest {
  private static final Path DOCKERFILE = Path.of("../Dockerfile");

  @Test
  void imageUserEntryPointAndDatasetMatchTheManifests() throws Exception {
    List<String> lines = Files.readAllLines(DOCKERFILE);
    Rendered r = Rendered.of(Path.of("base"));
    for (StatefulSet s : r.all(StatefulSet.class)) {
      long uid = s.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsUser();
      assertThat(lines)
          .as("%s: USER of the runtime stage", DOCKERFILE)
          .contains("USER " + uid + ":" + uid);
      assertThat(Rendered.container(s).getCommand())
          .as("the image's entry point is used")
          .isNullOrEmpty();
    }
    assertThat(lines)
        .contains("ENTRYPOINT [\"java\", \"-jar\", \"/opt/relreason/relreason-cli.jar\"]");
    String config =
        r.one(io.fabric8.kubernetes.api.model.ConfigMap.class, "relreason-run-config")
            .getData()
            .get("run-config.json");
    Map<?, ?> json = new com.fasterxml.jackson.databind.ObjectMapper().readValue(config, Map.class);
    String dataDir = (String) json.get("data-dir");
    assertThat(lines)
        .as("the image holds the run config's data-dir")
        .anyMatch(l -> l.startsWith("COPY --from=data ") && l.endsWith(" " + dataDir));
    // The port the image documents are the manifests' ports.
    assertThat(lines)
        .contains(
            "EXPOSE "
                + ClusterContract.HAZELCAST_PORT
                + " "
                + ClusterContract.EVENT_BUS_PORT
                + " "
                + ClusterContract.DASHBOARD_PORT
                + " "
                + ClusterContract.COORDINATOR_METRICS_PORT
                + " "
                + ClusterContract.WORKER_METRICS_PORT);
  }
}

package org.relreason.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One rendered kustomization as fabric8's typed objects, with lookups that name what is missing.
 */
final class Rendered {
  static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

  final Path dir;
  final List<HasMetadata> objects;

  private Rendered(Path dir, List<HasMetadata> objects) {
    this.dir = dir;
    this.objects = objects;
  }

  static Rendered of(Path dir) throws IOException {
    return new Rendered(dir, typed(MiniKustomize.render(dir)));
  }

  /**
   * Typed objects for the kinds fabric8 knows; custom resources become GenericKubernetesResource.
   */
  static List<HasMetadata> typed(List<ObjectNode> trees) {
    List<HasMetadata> out = new ArrayList<>();
    for (ObjectNode tree : trees) {
      KubernetesResource r = SERIALIZATION.convertValue(tree, KubernetesResource.class);
      assertThat(r)
          .as("%s/%s", tree.path("kind"), tree.path("metadata").path("name"))
          .isInstanceOf(HasMetadata.class);
      out.add((HasMetadata) r);
    }
    return out;
  }

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> T one(Class<T> type, String name) {
    List<T> found = all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).toList();
    assertThat(found).as("%s: %s named '%s'", dir, type.getSimpleName(), name).hasSize(1);
    return found.get(0);
  }

  List<GenericKubernetesResource> generic(String apiVersion, String kind) {
    return all(GenericKubernetesResource.class).stream()
        .filter(g -> g.getApiVersion().equals(apiVersion) && g.getKind().equals(kind))
        .toList();
  }

  /**
   * The StatefulSet whose container runs the given role ({@code coordinator} or {@code worker}).
   */
  StatefulSet role(String role) {
    List<StatefulSet> found =
        all(StatefulSet.class).stream().filter(s -> role.equals(args(s).role())).toList();
    assertThat(found).as("%s: StatefulSets running '%s'", dir, role).hasSize(1);
    return found.get(0);
  }

  static Container container(StatefulSet s) {
    List<Container> cs = s.getSpec().getTemplate().getSpec().getContainers();
    assertThat(cs).as("containers of %s", s.getMetadata().getName()).hasSize(1);
    return cs.get(0);
  }

  static Args args(StatefulSet s) {
    return Args.parse(s.getMetadata().getName(), container(s).getArgs());
  }

  /** A container's args: the role, then {@code --flag value} pairs (repeatable flags collect). */
  record Args(String owner, String role, Map<String, List<String>> flags) {
    static Args parse(String owner, List<String> args) {
      assertThat(args).as("args of %s", owner).isNotEmpty();
      Map<String, List<String>> flags = new LinkedHashMap<>();
      for (int i = 1; i < args.size(); i++) {
        String flag = args.get(i);
        assertThat(flag).as("%s: argument %d should be a --flag", owner, i).startsWith("--");
        String value = null;
        if (!ClusterContract.SWITCHES.contains(flag)) {
          assertThat(i + 1).as("%s: %s has no value", owner, flag).isLessThan(args.size());
          value = args.get(++i);
        }
        flags.computeIfAbsent(flag, f -> new ArrayList<>()).add(value);
      }
      return new Args(owner, args.get(0), flags);
    }

    /** The single value of a flag; fails naming the owner when absent or repeated. */
    String value(String flag) {
      assertThat(flags).as("%s: flags", owner).containsKey(flag);
      assertThat(flags.get(flag)).as("%s: values of %s", owner, flag).hasSize(1);
      return flags.get(flag).get(0);
    }

    int intValue(String flag) {
      return Integer.parseInt(value(flag));
    }

    /** {@code --set key=value} pairs. */
    Map<String, String> sets() {
      Map<String, String> out = new LinkedHashMap<>();
      for (String kv : flags.getOrDefault("--set", List.of())) {
        int eq = kv.indexOf('=');
        assertThat(eq).as("%s: --set %s is not key=value", owner, kv).isPositive();
        out.put(kv.substring(0, eq), kv.substring(eq + 1));
      }
      return out;
    }
  }
}

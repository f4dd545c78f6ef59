package org.relreason.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization the way {@code kubectl kustomize} does, for exactly the features the
 * project's kustomizations use: {@code resources} (files and other kustomization directories),
 * {@code configMapGenerator} (files, without the name hash), strategic-merge {@code patches} by
 * file, and {@code images}. Anything else is refused with the file and field named, so a new
 * kustomize feature in a manifest cannot be silently ignored by the tests.
 *
 * <p>Written for the tests so they run on a machine without kubectl; {@code OverlayTest} checks
 * that its output equals kubectl's where kubectl is installed.
 */
final class MiniKustomize {
  private static final YAMLMapper YAML = new YAMLMapper();

  private static final Set<String> SUPPORTED =
      Set.of(
          "apiVersion",
          "kind",
          "resources",
          "generatorOptions",
          "configMapGenerator",
          "patches",
          "images");

  /**
   * Strategic-merge keys of the lists the patches touch (from the Kubernetes API's patchMergeKey).
   */
  private static final Map<String, String> MERGE_KEYS =
      Map.of(
          "containers", "name",
          "initContainers", "name",
          "env", "name",
          "volumes", "name",
          "volumeMounts", "mountPath",
          "ports", "containerPort");

  private MiniKustomize() {}

  /** The objects {@code kustomize build dir} would print, as JSON trees, in resource order. */
  static List<ObjectNode> render(Path dir) throws IOException {
    Path file = dir.resolve("kustomization.yaml");
    if (!Files.isRegularFile(file)) {
      throw new IOException(dir + " has no kustomization.yaml");
    }
    JsonNode k = YAML.readTree(file.toFile());
    for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!SUPPORTED.contains(field)) {
        throw new IllegalStateException(
            file + ": field '" + field + "' is not supported by the tests' MiniKustomize");
      }
    }
    List<ObjectNode> out = new ArrayList<>();
    for (JsonNode r : k.path("resources")) {
      Path p = dir.resolve(r.asText()).normalize();
      out.addAll(Files.isDirectory(p) ? render(p) : readDocuments(rooted(dir, file, p)));
    }
    boolean noHash = k.path("generatorOptions").path("disableNameSuffixHash").asBoolean(false);
    for (JsonNode g : k.path("configMapGenerator")) {
      if (!noHash) {
        throw new IllegalStateException(
            file + ": configMapGenerator with a name hash is not supported by MiniKustomize");
      }
      out.add(configMap(dir, file, g));
    }
    for (JsonNode p : k.path("patches")) {
      if (!p.has("path") || p.size() != 1) {
        throw new IllegalStateException(file + ": only `patches: - path: FILE` is supported");
      }
      ObjectNode patch = single(rooted(dir, file, dir.resolve(p.get("path").asText())));
      merge(target(out, patch, file), patch);
    }
    for (JsonNode image : k.path("images")) {
      retag(out, image);
    }
    return out;
  }

  /** kustomize's default load restrictor: a file a kustomization names must lie under it. */
  private static Path rooted(Path dir, Path file, Path p) throws IOException {
    if (!p.startsWith(dir.normalize())) {
      throw new IOException(file + ": " + p + " is outside the kustomization's directory");
    }
    if (!Files.isRegularFile(p)) {
      throw new IOException(file + ": " + p + " does not exist");
    }
    return p;
  }

  static List<ObjectNode> readDocuments(Path p) throws IOException {
    List<ObjectNode> docs = new ArrayList<>();
    try (var it = YAML.readerFor(JsonNode.class).<JsonNode>readValues(p.toFile())) {
      while (it.hasNext()) {
        JsonNode doc = it.next();
        if (doc == null || doc.isNull() || doc.isMissingNode()) {
          continue;
        }
        if (!doc.isObject() || !doc.hasNonNull("kind")) {
          throw new IOException(p + ": a document is not a Kubernetes object (no kind)");
        }
        docs.add((ObjectNode) doc);
      }
    }
    return docs;
  }

  private static ObjectNode single(Path p) throws IOException {
    List<ObjectNode> docs = readDocuments(p);
    if (docs.size() != 1) {
      throw new IOException(p + ": a patch file must hold one object, found " + docs.size());
    }
    return docs.get(0);
  }

  private static ObjectNode configMap(Path dir, Path file, JsonNode g) throws IOException {
    ObjectNode cm = JsonNodeFactory.instance.objectNode();
    cm.put("apiVersion", "v1");
    cm.put("kind", "ConfigMap");
    ObjectNode meta = cm.putObject("metadata");
    meta.put("name", g.path("name").asText());
    if (g.path("options").has("labels")) {
      meta.set("labels", g.path("options").path("labels").deepCopy());
    }
    ObjectNode data = cm.putObject("data");
    for (JsonNode f : g.path("files")) {
      String spec = f.asText();
      int eq = spec.indexOf('=');
      Path p = rooted(dir, file, dir.resolve(eq < 0 ? spec : spec.substring(eq + 1)).normalize());
      String key = eq < 0 ? p.getFileName().toString() : spec.substring(0, eq);
      data.put(key, Files.readString(p, StandardCharsets.UTF_8));
    }
    return cm;
  }

  private static ObjectNode target(List<ObjectNode> objects, ObjectNode patch, Path file) {
    String kind = patch.path("kind").asText();
    String name = patch.path("metadata").path("name").asText();
    return objects.stream()
        .filter(o -> o.path("kind").asText().equals(kind))
        .filter(o -> o.path("metadata").path("name").asText().equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalStateException(
                    file + ": a patch targets " + kind + " '" + name + "', which is not there"));
  }

  /** Strategic merge: maps merge, lists with a merge key merge by it, other lists replace. */
  static void merge(ObjectNode target, ObjectNode patch) {
    for (Iterator<Map.Entry<String, JsonNode>> it = patch.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String field = e.getKey();
      JsonNode value = e.getValue();
      JsonNode current = target.get(field);
      if (field.startsWith("$")) {
        throw new IllegalStateException("patch directive '" + field + "' is not supported");
      } else if (value.isNull()) {
        target.remove(field);
      } else if (value.isObject() && current != null && current.isObject()) {
        merge((ObjectNode) current, (ObjectNode) value);
      } else if (value.isArray() && current != null && current.isArray()) {
        String key = MERGE_KEYS.get(field);
        if (key == null) {
          target.set(field, value.deepCopy());
        } else {
          mergeList((ArrayNode) current, (ArrayNode) value, key);
        }
      } else {
        target.set(field, value.deepCopy());
      }
    }
  }

  private static void mergeList(ArrayNode current, ArrayNode patch, String key) {
    for (JsonNode item : patch) {
      ObjectNode match = null;
      for (JsonNode c : current) {
        if (c.path(key).equals(item.path(key))) {
          match = (ObjectNode) c;
        }
      }
      if (match == null) {
        current.add(item.deepCopy());
      } else {
        merge(match, (ObjectNode) item);
      }
    }
  }

  private static void retag(List<ObjectNode> objects, JsonNode image) {
    String name = image.path("name").asText();
    for (ObjectNode o : objects) {
      JsonNode pod = o.path("spec").path("template").path("spec");
      for (String list : List.of("containers", "initContainers")) {
        for (JsonNode c : pod.path(list)) {
          String ref = c.path("image").asText();
          int at = ref.indexOf('@');
          String noDigest = at < 0 ? ref : ref.substring(0, at);
          int colon = noDigest.lastIndexOf(':');
          boolean tagged = colon > noDigest.lastIndexOf('/');
          String repo = tagged ? noDigest.substring(0, colon) : noDigest;
          if (!repo.equals(name)) {
            continue;
          }
          String tag = tagged ? noDigest.substring(colon + 1) : null;
          String newRepo = image.path("newName").asText(repo);
          String newTag = image.path("newTag").asText(tag);
          ((ObjectNode) c).put("image", newTag == null ? newRepo : newRepo + ":" + newTag);
        }
      }
    }
  }
}

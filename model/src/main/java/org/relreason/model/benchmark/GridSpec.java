package org.relreason.model.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.Datasets;
import org.relreason.model.nn.BackboneKind;

/**
 * A validated benchmark grid: the lists whose product makes the cells, the protocols every cell is
 * evaluated with, and the training settings all cells share (any {@link TrainConfig} key except the
 * grid's own dimensions and the per-cell paths).
 *
 * <p>As a JSON file: {@code {"methods": ["relational", "supervised"], "backbones": "conv4",
 * "datasets": ["fashion-mnist"], "seeds": [1, 2], "protocols": ["linear"], "settings":
 * {"max-steps": 200}}}; a list may also be one comma-separated string. Every error names the key
 * and the value at fault.
 *
 * @param methods pre-training methods (rows of the table)
 * @param backbones backbones
 * @param datasets dataset names
 * @param seeds seeds (averaged over)
 * @param protocols evaluation protocols (see {@link GridProtocols})
 * @param settings shared {@link TrainConfig} keys and values, as given
 * @param widths backbone width multipliers k (a cell per width; Kolesnikov et al. 2019); empty = no
 *     widths axis (the settings' width, cell names without it)
 * @param probes the probes of the linear protocol, all on the same features of a cell (the first
 *     gives {@code linear_top1}; each gives {@code <probe>_top1})
 * @param layers {@code last}, or {@code all}: also each probe on each block's pooled output ({@code
 *     <probe>_layer<b>_top1})
 */
public record GridSpec(
    List<MethodKind> methods,
    List<BackboneKind> backbones,
    List<String> datasets,
    List<Long> seeds,
    List<String> protocols,
    Map<String, String> settings,
    List<Double> widths,
    List<ProbeKind> probes,
    String layers) {

  /** The list keys of a grid, with their defaults ("" = required). */
  public static final Map<String, String> LIST_KEYS = listKeys();

  /** The key of the shared settings object in a grid file. */
  public static final String SETTINGS = "settings";

  /** Config keys a grid sets per cell: not allowed among the shared settings. */
  static final Map<String, String> PER_CELL =
      Map.of(
          "method", "it is a grid dimension: use methods",
          "backbone", "it is a grid dimension: use backbones",
          "dataset", "it is a grid dimension: use datasets",
          "seed", "it is a grid dimension: use seeds",
          "probe", "it is a grid axis: use probes",
          "probe-layers", "it is a grid axis: use layers",
          "checkpoint-dir", "each cell checkpoints to OUT/cells/<cell>/checkpoints",
          "result-file", "each cell writes OUT/cells/<cell>/train-result.json");

  /**
   * The benchmark checkpoints every this many steps unless the settings say otherwise, so an
   * interrupted cell loses little (the train default checkpoints only at epoch ends).
   */
  public static final String DEFAULT_CHECKPOINT_EVERY = "100";

  public GridSpec {
    methods = List.copyOf(methods);
    backbones = List.copyOf(backbones);
    datasets = List.copyOf(datasets);
    seeds = List.copyOf(seeds);
    protocols = List.copyOf(protocols);
    settings = Map.copyOf(new TreeMap<>(settings));
    widths = List.copyOf(widths);
    probes = List.copyOf(probes);
  }

  /** A grid of width 1, the paper's probe and the last layer only. */
  public GridSpec(
      List<MethodKind> methods,
      List<BackboneKind> backbones,
      List<String> datasets,
      List<Long> seeds,
      List<String> protocols,
      Map<String, String> settings) {
    this(
        methods,
        backbones,
        datasets,
        seeds,
        protocols,
        settings,
        List.of(),
        List.of(ProbeKind.ADAM),
        "last");
  }

  private static Map<String, String> listKeys() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("methods", "");
    m.put("backbones", "conv4");
    m.put("datasets", "fashion-mnist");
    m.put("seeds", "1");
    m.put("protocols", "linear");
    m.put("widths", "-");
    m.put("probes", "adam");
    m.put("layers", "last");
    return java.util.Collections.unmodifiableMap(m);
  }

  /**
   * A grid from comma-separated lists (keys of {@link #LIST_KEYS}; missing ones take their
   * defaults) and shared settings.
   *
   * @throws ConfigException naming the key and the value at fault
   */
  public static GridSpec of(Map<String, String> lists, Map<String, String> settings) {
    for (String key : lists.keySet()) {
      if (!LIST_KEYS.containsKey(key)) {
        throw new ConfigException(
            "unknown grid key '"
                + key
                + "' (known keys: "
                + String.join(", ", LIST_KEYS.keySet())
                + ", "
                + SETTINGS
                + ")");
      }
    }
    Map<String, String> l = new LinkedHashMap<>(LIST_KEYS);
    l.putAll(lists);
    GridSpec spec =
        new GridSpec(
            items(l, "methods", MethodKind::parse),
            items(l, "backbones", BackboneKind::parse),
            items(l, "datasets", GridSpec::dataset),
            items(l, "seeds", GridSpec::seed),
            items(l, "protocols", s -> GridProtocols.get(s).id()),
            settings,
            l.get("widths").equals("-") ? List.of() : items(l, "widths", GridSpec::width),
            items(l, "probes", ProbeKind::parse),
            layers(l.get("layers")));
    spec.validateSettings();
    return spec;
  }

  /**
   * Reads a grid file; {@code lists} and {@code settings} given beside it (command-line flags)
   * replace the file's lists and override its settings key by key.
   */
  public static GridSpec read(Path file, Map<String, String> lists, Map<String, String> settings)
      throws IOException {
    Map<String, String> l = new LinkedHashMap<>();
    Map<String, String> s = new LinkedHashMap<>();
    if (file != null) {
      readFile(file, l, s);
    }
    l.putAll(lists);
    s.putAll(settings);
    return of(l, s);
  }

  private static void readFile(Path file, Map<String, String> lists, Map<String, String> settings)
      throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("grid file " + file + " does not exist");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException("grid file " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException("grid file " + file + " must hold a JSON object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = e.getKey();
      JsonNode v = e.getValue();
      if (key.equals(SETTINGS)) {
        if (!v.isObject()) {
          throw new ConfigException(
              "grid file " + file + ": key '" + SETTINGS + "' must be an object of config keys");
        }
        for (Iterator<Map.Entry<String, JsonNode>> s = v.fields(); s.hasNext(); ) {
          Map.Entry<String, JsonNode> kv = s.next();
          if (!kv.getValue().isValueNode() || kv.getValue().isNull()) {
            throw new ConfigException(
                "grid file "
                    + file
                    + ": settings key '"
                    + kv.getKey()
                    + "' must have a string, number or boolean value");
          }
          settings.put(kv.getKey(), kv.getValue().asText());
        }
      } else if (v.isArray()) {
        List<String> parts = new ArrayList<>();
        for (JsonNode item : v) {
          if (!item.isValueNode() || item.isNull()) {
            throw new ConfigException(
                "grid file " + file + ": key '" + key + "' must list strings or numbers");
          }
          parts.add(item.asText());
        }
        lists.put(key, String.join(",", parts));
      } else if (v.isValueNode() && !v.isNull()) {
        lists.put(key, v.asText());
      } else {
        throw new ConfigException(
            "grid file " + file + ": key '" + key + "' must be a list or a comma-separated string");
      }
    }
  }

  private static <T> List<T> items(Map<String, String> lists, String key, Function<String, T> f) {
    String text = lists.get(key);
    if (text == null || text.isBlank()) {
      throw new ConfigException("grid key '" + key + "' is required and must not be empty");
    }
    Set<T> out = new LinkedHashSet<>();
    for (String raw : text.split(",", -1)) {
      String item = raw.trim();
      T v;
      try {
        if (item.isEmpty()) {
          throw new IllegalArgumentException("empty item in '" + text + "'");
        }
        v = f.apply(item);
      } catch (RuntimeException e) {
        throw new ConfigException(
            "grid key '" + key + "': value '" + item + "' is invalid: " + e.getMessage(), e);
      }
      if (!out.add(v)) {
        throw new ConfigException("grid key '" + key + "': value '" + item + "' is listed twice");
      }
    }
    return List.copyOf(out);
  }

  private static String dataset(String name) {
    if (!Datasets.names().contains(name)) {
      throw new IllegalArgumentException(
          "unknown dataset (known: " + String.join(", ", Datasets.names()) + ")");
    }
    return name;
  }

  /** A width multiplier, in the range the config key 'width' accepts. */
  private static Double width(String text) {
    return TrainConfig.of(Map.of("width", text)).width();
  }

  private static String layers(String text) {
    String t = text.trim();
    if (!t.equals("last") && !t.equals("all")) {
      throw new ConfigException(
          "grid key 'layers': value '" + t + "' is invalid: expected last or all");
    }
    return t;
  }

  private static Long seed(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("not an integer");
    }
  }

  /** Refuses per-cell keys and parses the shared settings once (errors name the key). */
  private void validateSettings() {
    if (!widths.isEmpty() && settings.containsKey("width")) {
      throw new ConfigException(
          "setting 'width="
              + settings.get("width")
              + "' is not allowed beside the grid key 'widths': one or the other");
    }
    for (String key : settings.keySet()) {
      String why = PER_CELL.get(key);
      if (why != null) {
        throw new ConfigException(
            "setting '" + key + "=" + settings.get(key) + "' is not allowed: " + why);
      }
    }
    TrainConfig.of(settings);
  }

  /** The cells, seed-major (every method's first seed before any second seed). */
  public List<Cell> cells() {
    List<Cell> out = new ArrayList<>();
    for (long seed : seeds) {
      for (String dataset : datasets) {
        for (BackboneKind backbone : backbones) {
          for (Double width :
              widths.isEmpty() ? java.util.Collections.<Double>singletonList(null) : widths) {
            for (MethodKind method : methods) {
              out.add(new Cell(method, backbone, dataset, seed, width));
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * The full configuration of a cell whose directory is {@code cellDir}.
   *
   * @throws ConfigException naming the cell and the key when the combination is invalid
   */
  public TrainConfig config(Cell cell, Path cellDir) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("checkpoint-every", DEFAULT_CHECKPOINT_EVERY);
    v.putAll(settings);
    v.put("method", cell.method().id());
    v.put("backbone", cell.backbone().id());
    v.put("dataset", cell.dataset());
    v.put("seed", Long.toString(cell.seed()));
    if (cell.width() != null) {
      v.put("width", Double.toString(cell.width()));
    }
    v.put("probe", String.join(",", probes.stream().map(ProbeKind::id).toList()));
    v.put("probe-layers", layers);
    v.put("checkpoint-dir", cellDir.resolve("checkpoints").toString());
    v.put("result-file", "");
    try {
      return TrainConfig.of(v);
    } catch (ConfigException e) {
      throw new ConfigException("cell " + cell.name() + ": " + e.getMessage(), e);
    }
  }

  /** The grid as plain values (for results.json). */
  public Map<String, Object> describe() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("methods", methods.stream().map(MethodKind::id).toList());
    m.put("backbones", backbones.stream().map(BackboneKind::id).toList());
    m.put("datasets", datasets);
    m.put("seeds", seeds);
    m.put("protocols", protocols);
    m.put("widths", widths);
    m.put("probes", probes.stream().map(ProbeKind::id).toList());
    m.put("layers", layers);
    m.put(SETTINGS, new TreeMap<>(settings));
    return m;
  }
}

package org.relreason.model.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The paper's reference numbers for linear evaluation (Patacchiola and Storkey 2020, Table 1), read
 * from {@code paper-reference.json} next to this class, so the dashboard can show a run's accuracy
 * beside what the paper reports for the same dataset and backbone. The file names its source; every
 * number in it must come from that source.
 *
 * @param source where the numbers come from
 * @param note what is (not yet) in the file
 * @param entries one per table cell
 */
public record PaperReference(String source, String note, List<Entry> entries) {
  /** The resource on the classpath. */
  public static final String RESOURCE = "paper-reference.json";

  /**
   * One cell of the table.
   *
   * @param dataset dataset key as in {@code --dataset} (e.g. {@code cifar10})
   * @param backbone backbone key as in {@code --backbone} (e.g. {@code conv4})
   * @param method method name as the paper's row (e.g. {@code relational_reasoning})
   * @param top1 top-1 accuracy as a fraction in [0, 1]
   */
  public record Entry(String dataset, String backbone, String method, double top1) {}

  public PaperReference {
    Objects.requireNonNull(source, "source");
    entries = List.copyOf(entries);
  }

  /** The bundled reference. */
  public static PaperReference load() {
    try (InputStream in = PaperReference.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("resource " + RESOURCE + " is missing from the classpath");
      }
      return parse(in.readAllBytes(), RESOURCE);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses and validates a reference file.
   *
   * @throws IllegalArgumentException naming the file, the entry and the field at fault
   */
  public static PaperReference parse(byte[] json, String file) throws IOException {
    JsonNode root = new ObjectMapper().readTree(json);
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException(file + ": expected a JSON object");
    }
    String source = text(root, "source", file);
    String note = root.path("note").asText("");
    JsonNode list = root.get("entries");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException(file + ": field 'entries' must be an array");
    }
    List<Entry> entries = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      JsonNode e = list.get(i);
      String where = file + ": entries[" + i + "]";
      JsonNode top1 = e.get("top1");
      if (top1 == null || !top1.isNumber()) {
        throw new IllegalArgumentException(where + ": field 'top1' must be a number");
      }
      double v = top1.asDouble();
      if (!(v >= 0 && v <= 1)) {
        throw new IllegalArgumentException(
            where + ": top1 " + v + " is not a fraction in [0, 1] (write 61.0% as 0.610)");
      }
      entries.add(
          new Entry(
              text(e, "dataset", where), text(e, "backbone", where), text(e, "method", where), v));
    }
    return new PaperReference(source, note, entries);
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode v = node.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(
          where + ": field '" + field + "' must be a non-empty string");
    }
    return v.asText();
  }

  /** The entries for one dataset (any backbone, any method). */
  public List<Entry> forDataset(String dataset) {
    return entries.stream().filter(e -> e.dataset().equals(dataset)).toList();
  }
}

package org.relreason.model.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The safetensors format (Hugging Face's {@code safetensors}, the format PyTorch, JAX and
 * TensorFlow tools exchange weights in): an unsigned 64-bit little-endian header length, a JSON
 * header mapping each tensor's name to its {@code dtype}, {@code shape} and {@code data_offsets}
 * (plus an optional {@code __metadata__} map of strings), then the raw little-endian tensor bytes.
 * Only {@code F32}, {@code F64} and {@code I32} are read and written: what relreason's tensors are.
 *
 * <p>Written by hand: the format is a page long, and no Java library for it is published on Maven
 * Central by the format's maintainers. Reading checks every offset against the file, so a truncated
 * or inconsistent file is refused naming the tensor.
 */
public final class SafeTensors {
  /** A header larger than this is refused (the format's own reference limit is 100 MB). */
  static final long MAX_HEADER = 100L << 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path source;
  private final Map<String, Tensor> tensors;
  private final Map<String, String> metadata;

  private SafeTensors(Path source, Map<String, Tensor> tensors, Map<String, String> metadata) {
    this.source = source;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * One tensor, its values widened to double (every F32 and I32 value is exact in a double).
   *
   * @param dtype the stored type: F32, F64 or I32
   * @param shape the shape, row-major
   * @param values the values in row-major order
   */
  public record Tensor(String dtype, long[] shape, double[] values) {
    /** The number of values the shape holds. */
    public long size() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }

    /** The values as ints (for I32 tensors such as indices). */
    public int[] ints() {
      int[] out = new int[values.length];
      for (int i = 0; i < out.length; i++) {
        out[i] = (int) values[i];
      }
      return out;
    }
  }

  /** Reads a whole file. */
  public static SafeTensors read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 8) {
      throw new IOException(
          file + ": " + bytes.length + " bytes, too short for a safetensors file");
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    long headerLength = buf.getLong();
    if (headerLength < 2 || headerLength > MAX_HEADER || headerLength > bytes.length - 8) {
      throw new IOException(
          file + ": header length " + headerLength + " does not fit a file of " + bytes.length);
    }
    JsonNode header =
        JSON.readTree(new String(bytes, 8, (int) headerLength, StandardCharsets.UTF_8));
    int dataStart = 8 + (int) headerLength;
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equals("__metadata__")) {
        e.getValue()
            .fields()
            .forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
        continue;
      }
      tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), buf, dataStart));
    }
    return new SafeTensors(file, tensors, metadata);
  }

  private static Tensor tensor(Path file, String name, JsonNode n, ByteBuffer buf, int dataStart)
      throws IOException {
    String dtype = n.path("dtype").asText();
    int width =
        switch (dtype) {
          case "F32", "I32" -> 4;
          case "F64" -> 8;
          default ->
              throw new IOException(
                  file
                      + ": tensor '"
                      + name
                      + "' has dtype '"
                      + dtype
                      + "'; only F32, F64 and I32 are read");
        };
    long[] shape = new long[n.path("shape").size()];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = n.path("shape").get(i).asLong();
    }
    long begin = n.path("data_offsets").path(0).asLong(-1);
    long end = n.path("data_offsets").path(1).asLong(-1);
    Tensor t = new Tensor(dtype, shape, null);
    long count = t.size();
    if (begin < 0
        || end < begin
        || dataStart + end > buf.capacity()
        || end - begin != count * width) {
      throw new IOException(
          file
              + ": tensor '"
              + name
              + "' of shape "
              + Arrays.toString(shape)
              + " and dtype "
              + dtype
              + " has data offsets ["
              + begin
              + ", "
              + end
              + "] in "
              + (buf.capacity() - dataStart)
              + " data bytes");
    }
    double[] values = new double[Math.toIntExact(count)];
    int at = dataStart + (int) begin;
    for (int i = 0; i < values.length; i++, at += width) {
      values[i] =
          switch (dtype) {
            case "F32" -> buf.getFloat(at);
            case "I32" -> buf.getInt(at);
            default -> buf.getDouble(at);
          };
    }
    return new Tensor(dtype, shape, values);
  }

  /** Writes tensors (in the map's order) and metadata to a file, replacing it. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      int width = t.dtype().equals("F64") ? 8 : 4;
      long bytes = t.size() * width;
      if (t.values().length != t.size()) {
        throw new IllegalArgumentException(
            "tensor '"
                + e.getKey()
                + "' of shape "
                + Arrays.toString(t.shape())
                + " has "
                + t.values().length
                + " values");
      }
      ObjectNode node = header.putObject(e.getKey());
      node.put("dtype", t.dtype());
      node.putPOJO("shape", t.shape());
      node.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] head = JSON.writeValueAsBytes(header);
    int padded = (head.length + 7) / 8 * 8;
    ByteBuffer out =
        ByteBuffer.allocate(Math.toIntExact(8 + padded + offset)).order(ByteOrder.LITTLE_ENDIAN);
    out.putLong(padded).put(head);
    for (int i = head.length; i < padded; i++) {
      out.put((byte) ' ');
    }
    for (Tensor t : tensors.values()) {
      for (double v : t.values()) {
        switch (t.dtype()) {
          case "F32" -> out.putFloat((float) v);
          case "I32" -> out.putInt((int) v);
          case "F64" -> out.putDouble(v);
          default -> throw new IllegalArgumentException("dtype " + t.dtype() + " is not written");
        }
      }
    }
    Files.write(file, out.array());
  }

  /** The file this was read from. */
  public Path source() {
    return source;
  }

  /** The tensors by name, in the file's order. */
  public Map<String, Tensor> tensors() {
    return tensors;
  }

  /** The header's {@code __metadata__} strings. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** The named tensor; a missing one is refused naming the file and the name. */
  public Tensor get(String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException(source + " has no tensor '" + name + "'");
    }
    return t;
  }
}

package org.relreason.shard;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import org.relreason.model.config.TrainConfig;

/**
 * The hash a worker and the coordinator compare at registration: SHA-256 of the model-defining
 * configuration keys ({@link TrainConfig#modelDefiningKeys()}), sorted, as {@code key=value\n}
 * lines. Two processes with equal hashes build the same network from the same seed.
 */
public final class ModelConfigHash {
  private ModelConfigHash() {}

  /** Lower-case hex SHA-256 of the model-defining keys. */
  public static String of(TrainConfig config) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<String, String> e : new TreeMap<>(config.modelDefiningKeys()).entrySet()) {
      text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }
}

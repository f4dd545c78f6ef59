package org.relreason.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relreason.model.config.ConfigKey;
import org.relreason.model.config.TrainConfig;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParseResult;

/**
 * Turns every key of {@link TrainConfig#KEYS} into a {@code --key VALUE} option, so the flags, the
 * JSON config file and {@code --help} come from the one table, and collects what was given.
 */
final class ConfigOptions {
  private ConfigOptions() {}

  static void addTo(CommandSpec spec) {
    for (ConfigKey key : TrainConfig.KEYS) {
      boolean flag = key.defaultValue().equals("false") || key.defaultValue().equals("true");
      OptionSpec.Builder b =
          OptionSpec.builder("--" + key.name())
              .paramLabel(flag ? "true|false" : "VALUE")
              .description(
                  key.description()
                      + " (default: "
                      + (key.defaultValue().isEmpty() ? "\"\"" : key.defaultValue())
                      + ")")
              .type(String.class);
      if (flag) {
        b.arity("0..1").fallbackValue("true");
      }
      spec.addOption(b.build());
    }
  }

  /** The config: defaults, then the file (if any), then the flags. */
  static TrainConfig resolve(ParseResult parsed, Path configFile) throws IOException {
    return resolve(parsed, configFile, null);
  }

  /**
   * The config: defaults, then the preset (if any), then the file (if any), then the flags; each
   * later source overrides the keys it gives.
   */
  static TrainConfig resolve(ParseResult parsed, Path configFile, String preset)
      throws IOException {
    Map<String, String> values = new LinkedHashMap<>();
    if (preset != null) {
      values.putAll(Preset.named(preset).values());
    }
    if (configFile != null) {
      values.putAll(TrainConfig.readFile(configFile));
    }
    for (ConfigKey key : TrainConfig.KEYS) {
      OptionSpec o = parsed.matchedOption("--" + key.name());
      if (o != null) {
        values.put(key.name(), o.getValue());
      }
    }
    return TrainConfig.of(values);
  }
}

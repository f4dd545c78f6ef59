package org.relreason.model.config;

import java.util.function.Function;

/**
 * One configuration key: its name (the same in a JSON config file and as a {@code --name} flag),
 * its default, a one-line description, and how its text is parsed and range-checked.
 *
 * @param name the key
 * @param defaultValue the default as text
 * @param description one line for {@code --help}
 * @param parser text to value; throws IllegalArgumentException saying what is wrong
 */
public record ConfigKey(
    String name, String defaultValue, String description, Function<String, Object> parser) {

  /** Parses a value of this key; the error names the key and the value. */
  public Object parse(String text) {
    try {
      return parser.apply(text.trim());
    } catch (RuntimeException e) {
      throw new ConfigException(
          "config key '" + name + "': value '" + text + "' is invalid: " + e.getMessage(), e);
    }
  }

  static Function<String, Object> integer(long min, long max) {
    return s -> {
      long v;
      try {
        v = Long.parseLong(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not an integer");
      }
      if (v < min || v > max) {
        throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
      }
      return v;
    };
  }

  static Function<String, Object> real(double min, double max) {
    return s -> {
      double v;
      try {
        v = Double.parseDouble(s);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("not a number");
      }
      if (!(v >= min && v <= max)) {
        throw new IllegalArgumentException("must be in [" + min + ", " + max + "]");
      }
      return v;
    };
  }

  static Function<String, Object> bool() {
    return s -> {
      if (s.equalsIgnoreCase("true")) {
        return true;
      }
      if (s.equalsIgnoreCase("false")) {
        return false;
      }
      throw new IllegalArgumentException("must be true or false");
    };
  }

  static Function<String, Object> text() {
    return s -> s;
  }
}

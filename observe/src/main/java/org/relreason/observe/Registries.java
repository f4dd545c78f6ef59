package org.relreason.observe;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Registries and the text exposition. */
public final class Registries {
  private static final PrometheusTextFormatWriter TEXT = PrometheusTextFormatWriter.create();

  private Registries() {}

  /**
   * A fresh registry (not the library's global default, so that a coordinator and workers in one
   * JVM, or several tests, each have their own) holding the JVM and process metrics.
   */
  public static PrometheusRegistry withJvmMetrics() {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    return registry;
  }

  /** The Prometheus text format (0.0.4) content type. */
  public static String contentType() {
    return TEXT.getContentType();
  }

  /** A scrape of {@code registry} in the Prometheus text format. */
  public static byte[] scrape(PrometheusRegistry registry) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
    try {
      TEXT.write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }
}

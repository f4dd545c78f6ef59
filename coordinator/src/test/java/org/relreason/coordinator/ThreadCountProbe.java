package org.relreason.coordinator;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Not a test: prints a hash of the parameters after three reference steps, to compare runs with
 * different ND4J/OpenMP thread counts ({@code -Drelreason.probe=true}, vary OMP_NUM_THREADS).
 */
@EnabledIfSystemProperty(named = "relreason.probe", matches = "true")
class ThreadCountProbe {
  @Test
  void printParameterHash() {
    try (Reference r = new Reference(Reference.tinyConfig(3), Reference.tinyImages())) {
      r.train(3, ShardingMode.VIEWS, 2);
      float[] p = r.model.paramsVector();
      Path out =
          Path.of(
              System.getProperty("java.io.tmpdir"),
              "relreason-probe-" + Nd4j.getEnvironment().maxThreads() + ".txt");
      try {
        Files.writeString(out, Arrays.toString(p));
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      System.out.printf(
          "PROBE threads=%d hash=%08x%n",
          Nd4j.getEnvironment().maxThreads(), Arrays.hashCode(r.model.paramsVector()));
    }
  }
}

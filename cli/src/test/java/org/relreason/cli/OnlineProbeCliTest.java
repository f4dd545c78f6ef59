package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code train --probe-every N} (#15, item 3): the online kNN probe's curve in the result JSON, the
 * same in one process and on the embedded parameter server (whose parameters are those of the
 * single process, bit for bit), and absent by default.
 */
class OnlineProbeCliTest {

  private static List<Double> curve(JsonNode result, long... steps) {
    JsonNode c = result.get("probe_curve");
    assertThat(c).as(result.toString()).isNotNull();
    assertThat(c).hasSize(steps.length);
    List<Double> knn = new ArrayList<>();
    for (int i = 0; i < steps.length; i++) {
      assertThat(c.get(i).get("step").asLong()).isEqualTo(steps[i]);
      double v = c.get(i).get("knn_top1").asDouble();
      assertThat(v).isBetween(0.0, 1.0);
      knn.add(v);
    }
    return knn;
  }

  @Test
  void theCurveIsInTheResultInOneProcessAndOnTheEmbeddedParameterServer(@TempDir Path dir)
      throws Exception {
    String[] probe = {"--m", "16", "--k", "2", "--probe-every", "2", "--probe-images", "100"};
    JsonNode single = CliRun.trainTiny(dir, "single", probe);
    // 64 images at M=16, stopped after 3 steps: probes after steps 2 (and not 1 or 3)
    List<Double> one = curve(single, 2);
    String[] embedded = {
      "--m", "16", "--k", "2", "--probe-every", "1", "--probe-images", "100", "--workers", "1"
    };
    JsonNode ps = CliRun.trainTiny(dir, "embedded", embedded);
    List<Double> three = curve(ps, 1, 2, 3);
    assertThat(three.get(1)).isEqualTo(one.get(0));
    assertThat(ps.get("config").get("probe-every").asText()).isEqualTo("1");
    JsonNode off = CliRun.trainTiny(dir, "off", "--m", "16", "--k", "2");
    assertThat(off.get("probe_curve")).isNull();
  }
}

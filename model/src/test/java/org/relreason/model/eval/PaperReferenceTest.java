package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class PaperReferenceTest {

  private static PaperReference parse(String json) throws Exception {
    return PaperReference.parse(json.getBytes(StandardCharsets.UTF_8), "ref.json");
  }

  @Test
  void theBundledFileNamesItsSourceAndHoldsOnlyFractions() {
    PaperReference p = PaperReference.load();
    assertThat(p.source()).contains("2006.05849").contains("Table 1");
    assertThat(p.entries()).allSatisfy(e -> assertThat(e.top1()).isBetween(0.0, 1.0));
  }

  @Test
  void entriesAreReadAndFilteredByDataset() throws Exception {
    PaperReference p =
        parse(
            "{\"source\": \"s\", \"entries\": ["
                + "{\"dataset\": \"cifar10\", \"backbone\": \"conv4\", \"method\": \"m\", \"top1\": 0.5},"
                + "{\"dataset\": \"stl10\", \"backbone\": \"resnet34\", \"method\": \"m\", \"top1\": 0.25}]}");
    assertThat(p.forDataset("cifar10"))
        .containsExactly(new PaperReference.Entry("cifar10", "conv4", "m", 0.5));
    assertThat(p.forDataset("fashion-mnist")).isEmpty();
  }

  @Test
  void aBadEntryIsNamedWithItsField() {
    assertThatThrownBy(
            () ->
                parse(
                    "{\"source\": \"s\", \"entries\": [{\"dataset\": \"cifar10\", \"backbone\":"
                        + " \"conv4\", \"method\": \"m\", \"top1\": 61.03}]}"))
        .hasMessageContaining("ref.json: entries[0]")
        .hasMessageContaining("61.03")
        .hasMessageContaining("[0, 1]");
    assertThatThrownBy(
            () ->
                parse(
                    "{\"source\": \"s\", \"entries\": [{\"backbone\": \"conv4\", \"method\":"
                        + " \"m\", \"top1\": 0.6}]}"))
        .hasMessageContaining("entries[0]")
        .hasMessageContaining("'dataset'");
    assertThatThrownBy(() -> parse("{\"entries\": []}")).hasMessageContaining("'source'");
    assertThatThrownBy(() -> parse("{\"source\": \"s\"}")).hasMessageContaining("'entries'");
  }
}

package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The build writes the licences of everything the command line ships (generate-resources, before
 * the tests) into the jar as {@code THIRD-PARTY.txt}; Smile (GPL-3.0) is no longer among them.
 */
class ThirdPartyListTest {
  @Test
  void theJarsThirdPartyListNamesTheLibrariesAndTheirLicences() throws Exception {
    Path list = Path.of("target/classes/THIRD-PARTY.txt");
    assertThat(list).exists();
    String text = Files.readString(list);
    assertThat(text)
        .contains(
            "(Apache License, Version 2.0) deeplearning4j-nn (org.deeplearning4j:deeplearning4j-nn:")
        .contains("io.vertx:vertx-core:")
        .contains("org.apache.commons:commons-math3:")
        .contains("com.hazelcast:hazelcast:")
        .doesNotContain("com.github.haifengl")
        .doesNotContain("General Public License, Version 3");
  }
}

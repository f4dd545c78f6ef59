package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code data list}, {@code data fetch} errors, and {@code train} offering the fetch. */
class DataCommandTest {
  @Test
  void trainOffersTheFetchCommandWhenTheDatasetIsMissing(@TempDir Path dir) {
    CliRun r =
        CliRun.runWithoutFixedDashboard(
            "train", "--dataset", "cifar10", "--data-dir", dir.toString(), "--max-steps", "1");
    assertThat(r.exit()).isNotZero();
    assertThat(r.err())
        .contains("relreason data fetch cifar10 --dir " + dir)
        .doesNotContain("\tat ");
    CliRun coarse =
        CliRun.runWithoutFixedDashboard(
            "train", "--dataset", "cifar100-20", "--data-dir", dir.toString(), "--max-steps", "1");
    assertThat(coarse.err()).contains("relreason data fetch cifar100 --dir " + dir);
  }

  @Test
  void listNamesTheDatasetsAndAnUnknownOneIsRefused() {
    CliRun list = CliRun.run("data", "list");
    assertThat(list.exit()).isZero();
    assertThat(list.out())
        .contains("fashion-mnist")
        .contains("cifar10")
        .contains("stl10")
        .contains("2640.4 MB")
        .contains("tiny-imagenet");
    CliRun bad = CliRun.run("data", "fetch", "imagenet");
    assertThat(bad.exit()).isNotZero();
    assertThat(bad.err()).contains("'imagenet'").contains("known:").doesNotContain("\tat ");
  }
}

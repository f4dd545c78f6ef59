package org.relreason.model.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {

  @TempDir Path dir;

  @Test
  void unknownNameListsTheValidNames() {
    assertThatThrownBy(() -> Datasets.load("cifar-10", dir, Split.TRAIN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "unknown dataset 'cifar-10'; valid names: cifar10, cifar100, cifar100-20, stl10,"
                + " fashion-mnist, mnist, tiny-imagenet");
    assertThatThrownBy(() -> Datasets.normalization("imagenet"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("valid names: cifar10");
  }

  @Test
  void normalizationFollowsThePapersCode() {
    assertThat(Datasets.normalization("cifar10")).isEqualTo(Normalization.CIFAR10);
    assertThat(Datasets.normalization("cifar100")).isEqualTo(Normalization.CIFAR100);
    assertThat(Datasets.normalization("cifar100-20")).isEqualTo(Normalization.CIFAR100);
    assertThat(Datasets.normalization("stl10")).isEqualTo(Normalization.STL10);
    assertThat(Datasets.normalization("tiny-imagenet")).isEqualTo(Normalization.TINY_IMAGENET);
    assertThat(Datasets.normalization("fashion-mnist")).isEqualTo(Normalization.FASHION_MNIST);
    assertThat(Datasets.normalization("mnist").mean()).containsExactly(0.1307f, 0.1307f, 0.1307f);
    assertThat(Datasets.normalization("mnist").std()).containsExactly(0.3081f, 0.3081f, 0.3081f);
  }

  @Test
  void loadsByNameWithAnInformativeSetName() throws IOException {
    FormatWriters.cifar(
        dir.resolve("cifar-100-binary/test.bin"),
        0,
        new int[][] {{4, 40}, {5, 50}},
        FormatWriters.PATTERN);
    assertThat(Datasets.load("cifar100-20", dir, Split.TEST).labels()).containsExactly(4, 5);
    ImageSet fine = Datasets.load("cifar100", dir, Split.TEST, 1);
    assertThat(fine.name()).isEqualTo("cifar100/test[:1]");
    assertThat(fine.labels()).containsExactly(40);
  }

  @Test
  void splitsADatasetDoesNotHaveAreRejected() {
    assertThatThrownBy(() -> Datasets.load("tiny-imagenet", dir, Split.UNLABELED))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("tiny-imagenet has no UNLABELED split");
  }
}

package org.relreason.model.method;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;

class MethodsTest {

  /** 40 labelled 32×32 RGB images of 2 classes (DeepCluster needs at least its clusters' count). */
  private static ImageSet images() {
    int n = 40;
    byte[] px = new byte[n * 3 * 32 * 32];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i * 31 + 7);
    }
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 2;
    }
    return new ImageSet("tiny", n, 3, 32, 32, px, labels, 2);
  }

  @ParameterizedTest
  @EnumSource(MethodKind.class)
  void viewsPerImageWithoutAModelEqualsTheBuiltModels(MethodKind method) {
    TrainConfig config = TrainConfig.of(Map.of("method", method.id(), "k", "5"));
    assertThat(Methods.viewsPerImage(config))
        .isEqualTo(Methods.build(config, images()).viewsPerImage());
  }
}

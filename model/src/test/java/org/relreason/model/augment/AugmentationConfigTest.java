package org.relreason.model.augment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.relreason.model.augment.AugmentationConfig.Range;

class AugmentationConfigTest {
  private static final AugmentationConfig PAPER = AugmentationConfig.paper();

  @Test
  void paperDefaultsAreTorchvisionsSimclrPipeline() {
    assertThat(PAPER.scale()).isEqualTo(new Range(0.08, 1.0));
    assertThat(PAPER.ratio()).isEqualTo(new Range(0.75, 4.0 / 3.0));
    assertThat(PAPER.flipProbability()).isEqualTo(0.5);
    assertThat(PAPER.jitterProbability()).isEqualTo(0.8);
    assertThat(PAPER.brightness().min()).isCloseTo(0.2, offset(1e-12));
    assertThat(PAPER.brightness().max()).isEqualTo(1.8);
    assertThat(PAPER.hue()).isEqualTo(new Range(-0.2, 0.2));
    assertThat(PAPER.grayscaleProbability()).isEqualTo(0.2);
  }

  @Test
  void aroundClipsAtZeroAsTorchvisionDoes() {
    assertThat(Range.around(1, 1.5)).isEqualTo(new Range(0, 2.5));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        bad("outputHeight", () -> PAPER.withOutputSize(0, 32)),
        bad("scale", () -> PAPER.withCrop(new Range(0, 1), PAPER.ratio())),
        bad("scale", () -> PAPER.withCrop(new Range(0.5, 1.5), PAPER.ratio())),
        bad("ratio", () -> PAPER.withCrop(PAPER.scale(), new Range(2, 1))),
        bad("scale", () -> PAPER.withCrop(null, PAPER.ratio())),
        bad("flipProbability", () -> PAPER.withFlipProbability(1.5)),
        bad("jitterProbability", () -> jitter(-0.1, PAPER.brightness(), PAPER.hue())),
        bad("brightness", () -> jitter(0.8, new Range(-1, 1), PAPER.hue())),
        bad("hue", () -> jitter(0.8, PAPER.brightness(), new Range(-0.6, 0))),
        bad(
            "contrast",
            () ->
                PAPER.withJitter(
                    0.8,
                    PAPER.brightness(),
                    new Range(Double.NaN, 1),
                    PAPER.saturation(),
                    PAPER.hue())),
        bad(
            "saturation",
            () ->
                PAPER.withJitter(
                    0.8, PAPER.brightness(), PAPER.contrast(), new Range(2, 1), PAPER.hue())),
        bad("grayscaleProbability", () -> PAPER.withGrayscaleProbability(Double.NaN)));
  }

  private static Arguments bad(String field, Supplier<AugmentationConfig> make) {
    return Arguments.of(field, make);
  }

  private static AugmentationConfig jitter(double p, Range brightness, Range hue) {
    return PAPER.withJitter(p, brightness, PAPER.contrast(), PAPER.saturation(), hue);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void invalidValuesAreRejectedNamingTheField(String field, Supplier<AugmentationConfig> make) {
    assertThatThrownBy(make::get)
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(field);
  }
}

package org.relreason.model.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Per-block pooled features of the fast backbones, read through the Deeplearning4j graph with the
 * same parameters: one block per Conv-4 block and per ResNet stage, of the block's width, the last
 * one equal to the backbone's own inference features.
 */
class BlockFeaturesTest {
  @ParameterizedTest
  @CsvSource({
    "conv4, 1, 8;16;32;64",
    "conv4, 2, 16;32;64;128",
    "resnet8, 1, 16;32;64",
    "resnet8, 2, 32;64;128",
    "resnet32, 1, 16;32;64"
  })
  void oneBlockPerStageAndTheLastIsTheBackbonesFeatures(String kind, double width, String sizes) {
    BackboneSpec spec = new BackboneSpec(BackboneKind.parse(kind), width, 1, 28, 28);
    Backbone fast = Backbones.buildFast(spec, 5, DataType.FLOAT);
    // move off the initial values, so that a parameter copied to the wrong place shows
    INDArray noise = Nd4j.randn(DataType.FLOAT, fast.params().shape()).muli(0.01);
    boolean[] stats = fast.statisticsMask();
    for (int i = 0; i < stats.length; i++) {
      if (stats[i]) {
        noise.putScalar(i, 0);
      }
    }
    fast.params().addi(noise);
    INDArray x = Nd4j.randn(DataType.FLOAT, 6, 1, 28, 28);

    BlockFeatures blocks = BlockFeatures.of(spec, fast);
    List<INDArray> out = blocks.forward(x);

    String[] want = sizes.split(";");
    assertThat(out).hasSize(want.length);
    assertThat(blocks.names()).hasSize(want.length);
    for (int b = 0; b < want.length; b++) {
      assertThat(out.get(b).shape())
          .as("block %d", b + 1)
          .containsExactly(6L, Long.parseLong(want[b]));
      assertThat(out.get(b).minNumber().doubleValue()).as("after a ReLU").isGreaterThanOrEqualTo(0);
    }
    INDArray features = fast.forward(x, false);
    double diff = Transforms.abs(out.get(out.size() - 1).sub(features)).maxNumber().doubleValue();
    assertThat(diff).isLessThan(1e-4 * Math.max(1, features.amaxNumber().doubleValue()));
  }

  @Test
  void theRepresentationLayerComesLastAndIsTheBackbonesFeatures() {
    BackboneSpec spec = new BackboneSpec(BackboneKind.RESNET8, 1, 1, 28, 28);
    Backbone r = Backbones.buildFast(spec, 12, 3, DataType.FLOAT);
    INDArray x = Nd4j.randn(DataType.FLOAT, 4, 1, 28, 28);

    BlockFeatures blocks = BlockFeatures.of(spec, r);
    List<INDArray> out = blocks.forward(x);

    assertThat(blocks.names())
        .containsExactly(
            "stage1_block1_relu", "stage2_block1_relu", "stage3_block1_relu", "representation");
    assertThat(out.get(2).shape()).containsExactly(4L, 64L);
    assertThat(out.get(3).shape()).containsExactly(4L, 12L);
    INDArray features = r.forward(x, false);
    double diff = Transforms.abs(out.get(3).sub(features)).maxNumber().doubleValue();
    assertThat(diff).isLessThan(1e-4 * Math.max(1, features.amaxNumber().doubleValue()));
  }

  @Test
  void namesFollowTheGraphsBlocks() {
    assertThat(
            BlockFeatures.blockOutputs(
                List.of(
                    "stem_relu",
                    "stage1_block1_relu",
                    "stage1_block1_relu1",
                    "stage1_block2_relu",
                    "stage2_block1_relu",
                    "stage2_block2_relu",
                    "features")))
        .containsExactly("stage1_block2_relu", "stage2_block2_relu");
    assertThat(BlockFeatures.blockOutputs(List.of("block2_relu", "block1_relu", "block1_pool")))
        .containsExactly("block1_relu", "block2_relu");
  }

  @Test
  void aBackboneOfAnotherWidthIsRefused() {
    Backbone wide =
        Backbones.buildFast(new BackboneSpec(BackboneKind.CONV4, 2, 1, 28, 28), 1, DataType.FLOAT);
    assertThatThrownBy(
            () -> BlockFeatures.of(new BackboneSpec(BackboneKind.CONV4, 1, 1, 28, 28), wide))
        .hasMessageContaining("conv4 of width 1.0")
        .hasMessageContaining("parameters");
  }
}

package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;

/** The protocols end to end on small generated images, and their dataset checks. */
class EvalProtocolsTest {
  private static final EvalData.Geometry RGB32 = new EvalData.Geometry(3, 32, 32);
  private static final Normalization NORM =
      new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});

  /**
   * n images of two classes that even a random backbone separates: class 0 bright on the left half,
   * class 1 bright all over, with per-image noise.
   */
  private static ImageSet halves(String name, int n, int channels, int side, long seed) {
    java.util.Random r = new java.util.Random(seed);
    int per = channels * side * side;
    byte[] px = new byte[n * per];
    int[] y = new int[n];
    for (int i = 0; i < n; i++) {
      y[i] = i % 2;
      for (int c = 0; c < channels; c++) {
        for (int row = 0; row < side; row++) {
          for (int col = 0; col < side; col++) {
            boolean lit = y[i] == 1 || col < side / 2;
            int v = (lit ? 200 : 30) + r.nextInt(40);
            px[i * per + (c * side + row) * side + col] = (byte) v;
          }
        }
      }
    }
    return new ImageSet(name, n, channels, side, side, px, y, 2);
  }

  private static Backbone backbone() {
    return Backbones.buildFast(
        new BackboneSpec(BackboneKind.CONV4, 0.25, 3, 32, 32), 3, DataType.FLOAT);
  }

  private static ProtocolConfig quick() {
    ProtocolConfig d = ProtocolConfig.defaults(1);
    return new ProtocolConfig(
        // a rate the tiny sets learn in 300 steps (one batch an epoch)
        new LinearConfig(300, 128, 0.03, 0.9, 0.999, 1e-8, 1),
        new FineTuneConfig(6, 8, 1e-3, 1e-3, 1e-5, 1),
        List.of(0.25, 1.0),
        true,
        3,
        100,
        4,
        30,
        new Embedding2d.Settings(5, 200, 250, 1),
        null);
  }

  @Test
  void transferRefusesImagesTheBackboneCannotTakeNamingBothDatasets() {
    EvalData data =
        new EvalData(
            "fashion-mnist",
            RGB32,
            "tiny-gray",
            halves("tiny-gray/train", 8, 1, 28, 1),
            halves("tiny-gray/test", 4, 1, 28, 2),
            NORM);
    assertThatThrownBy(() -> EvalProtocols.run(Protocol.TRANSFER, backbone(), data, quick()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("pre-trained on fashion-mnist (3x32x32 images)")
        .hasMessageContaining("cannot take tiny-gray's 1x28x28 images");
  }

  @Test
  void transferAndGrainRefuseTheWrongDatasetPairs() {
    EvalData same =
        new EvalData(
            "cifar10", RGB32, "cifar10", halves("a", 4, 3, 32, 1), halves("b", 4, 3, 32, 2), NORM);
    assertThatThrownBy(() -> EvalProtocols.requireDatasets(Protocol.TRANSFER, same))
        .hasMessageContaining("evaluation dataset cifar10 is the pre-training dataset cifar10");
    assertThatThrownBy(() -> EvalProtocols.requireDatasets(Protocol.GRAIN, same))
        .hasMessageContaining("pre-training dataset cifar10 and evaluation dataset cifar10");
    EvalData grain =
        new EvalData(
            "cifar100",
            RGB32,
            "cifar100-20",
            halves("a", 4, 3, 32, 1),
            halves("b", 4, 3, 32, 2),
            NORM);
    EvalProtocols.requireDatasets(Protocol.GRAIN, grain);
  }

  @Test
  void transferToMnistFilesInTheOfficialFormatRunsTheLinearEvaluation(@TempDir Path dir)
      throws IOException {
    ImageSet train = halves("x", 40, 1, 28, 3);
    ImageSet test = halves("y", 20, 1, 28, 4);
    writeIdx(dir, "train", train);
    writeIdx(dir, "t10k", test);
    EvalData data = EvalData.load("fashion-mnist", RGB32, "mnist", dir, 0, 0);
    assertThat(data.train().size()).isEqualTo(40);
    assertThat(EvalData.Geometry.of(data.train())).isEqualTo(RGB32);
    ProtocolResult r = EvalProtocols.run(Protocol.TRANSFER, backbone(), data, quick());
    assertThat(r.protocol()).isEqualTo("transfer");
    assertThat(r.pretrainDataset()).isEqualTo("fashion-mnist");
    assertThat(r.dataset()).isEqualTo("mnist");
    // half-lit against fully lit: even a random Conv-4 separates them
    assertThat(r.linearTop1()).isGreaterThan(0.9);
  }

  @Test
  void grainEvaluatesOnTheCoarseLabelsOfCifar100Files(@TempDir Path dir) throws IOException {
    // CIFAR-100 binary records: coarse label, fine label, 3072 pixel bytes; coarse = fine / 5 here
    Path sub = Files.createDirectories(dir.resolve("cifar-100-binary"));
    for (String split : new String[] {"train", "test"}) {
      int n = split.equals("train") ? 60 : 20;
      ImageSet lit = halves("c", n, 3, 32, split.length());
      byte[] out = new byte[n * 3074];
      for (int i = 0; i < n; i++) {
        int fine = (i * 7) % 100;
        out[i * 3074] = (byte) (fine / 5);
        out[i * 3074 + 1] = (byte) fine;
        System.arraycopy(lit.pixels(), i * 3072, out, i * 3074 + 2, 3072);
      }
      Files.write(sub.resolve(split + ".bin"), out);
    }
    EvalData data = EvalData.load("cifar100", RGB32, "cifar100-20", dir, 0, 0);
    assertThat(data.train().numClasses()).isEqualTo(20);
    assertThat(data.train().label(3)).isEqualTo(21 / 5);
    ProtocolResult r = EvalProtocols.run(Protocol.GRAIN, backbone(), data, quick());
    assertThat(r.dataset()).isEqualTo("cifar100-20");
    assertThat(r.linearTop1()).isBetween(0.0, 1.0);
  }

  @Test
  void fractionsGiveOneResultPerFractionAndFineTuningLeavesTheBackboneAsItWas() {
    Backbone b = backbone();
    float[] before = b.params().toFloatVector();
    EvalData data =
        new EvalData(
            "toy",
            RGB32,
            "toy",
            halves("toy/train", 40, 3, 32, 5),
            halves("toy/test", 20, 3, 32, 6),
            NORM);
    ProtocolResult r = EvalProtocols.run(Protocol.FRACTIONS, b, data, quick());
    assertThat(r.fractions()).hasSize(2);
    assertThat(r.fractions().get(0).labels()).isEqualTo(10); // 25% of 20 per class, 2 classes
    assertThat(r.fractions().get(1).labels()).isEqualTo(40);
    assertThat(r.fractions().get(1).linearTop1()).isGreaterThan(0.9);
    for (ProtocolResult.FractionResult f : r.fractions()) {
      assertThat(f.linearTop1()).isBetween(0.0, 1.0);
      assertThat(f.fineTuneTop1()).isBetween(0.0, 1.0);
    }
    assertThat(b.params().toFloatVector()).containsExactly(before);

    ProtocolResult ft = EvalProtocols.run(Protocol.FINETUNE, b, data, quick());
    assertThat(ft.fineTuneEpochLosses()).hasSize(6).allMatch(Double::isFinite);
    assertThat(ft.fineTuneTop1()).isGreaterThan(0.9);
    assertThat(b.params().toFloatVector()).containsExactly(before);
  }

  @Test
  void fineTuningMovesTheBatchNormStatisticsAndLowersTheLoss() {
    Backbone b = backbone();
    boolean[] mask = b.statisticsMask();
    float[] before = b.params().toFloatVector();
    FineTuner.Result r =
        new FineTuner(new FineTuneConfig(4, 8, 1e-3, 1e-4, 1e-5, 2))
            .run(b, halves("t", 32, 3, 32, 7), halves("s", 8, 3, 32, 8), NORM);
    float[] after = b.params().toFloatVector();
    int movedStats = 0;
    int movedWeights = 0;
    for (int i = 0; i < mask.length; i++) {
      if (after[i] != before[i]) {
        if (mask[i]) {
          movedStats++;
        } else {
          movedWeights++;
        }
      }
    }
    assertThat(movedStats).as("batch-norm statistics updated in training mode").isPositive();
    assertThat(movedWeights).as("backbone weights trained, not only the head").isPositive();
    assertThat(r.steps()).isEqualTo(16);
    assertThat(r.rateFactors()).containsExactly(1.0, 1.0, 0.1, 0.010000000000000002);
    assertThat(r.epochLosses().get(3)).isLessThan(r.epochLosses().get(0));
  }

  @Test
  void retrievalAndEmbeddingWriteTheirPictures(@TempDir Path dir) throws IOException {
    EvalData data =
        new EvalData(
            "toy",
            RGB32,
            "toy",
            halves("toy/train", 40, 3, 32, 5),
            halves("toy/test", 30, 3, 32, 6),
            NORM);
    Path png = dir.resolve("r.png");
    ProtocolResult r =
        EvalProtocols.run(Protocol.RETRIEVAL, backbone(), data, quick().withPicture(png));
    assertThat(r.retrievalK()).isEqualTo(3);
    assertThat(r.precisionAtK()).isGreaterThan(0.9);
    assertThat(javax.imageio.ImageIO.read(png.toFile()).getHeight()).isEqualTo(4 * 74 + 4);
    Path emb = dir.resolve("e.png");
    ProtocolResult e =
        EvalProtocols.run(Protocol.EMBEDDING, backbone(), data, quick().withPicture(emb));
    assertThat(e.embeddingPurity()).isBetween(0.0, 1.0);
    assertThat(javax.imageio.ImageIO.read(emb.toFile()).getWidth())
        .isEqualTo(EvalProtocols.PLOT_SIZE + Pictures.LEGEND_WIDTH);
    Path json = dir.resolve("r.json");
    EvalProtocols.write(r, json);
    assertThat(Files.readString(json))
        .contains("\"precision_at_k\"")
        .contains("\"protocol\" : \"retrieval\"");
  }

  @Test
  void pictureQueriesCycleThroughTheClasses() {
    int[] labels = {1, 1, 0, 2, 0, 1};
    assertThat(EvalProtocols.pictureQueries(labels, 3, 5)).containsExactly(2, 0, 3, 4, 1);
  }

  /** Writes an MNIST-layout pair of idx files (uncompressed) of the set's 28x28 gray images. */
  private static void writeIdx(Path dir, String prefix, ImageSet s) throws IOException {
    ByteArrayOutputStream img = new ByteArrayOutputStream();
    DataOutputStream o = new DataOutputStream(img);
    o.writeInt(2051);
    o.writeInt(s.size());
    o.writeInt(28);
    o.writeInt(28);
    o.write(s.pixels());
    Files.write(dir.resolve(prefix + "-images-idx3-ubyte"), img.toByteArray());
    ByteArrayOutputStream lab = new ByteArrayOutputStream();
    DataOutputStream l = new DataOutputStream(lab);
    l.writeInt(2049);
    l.writeInt(s.size());
    for (int y : s.labels()) {
      l.writeByte(y);
    }
    Files.write(dir.resolve(prefix + "-labels-idx1-ubyte"), lab.toByteArray());
  }
}

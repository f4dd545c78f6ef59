package org.relreason.model.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;

/**
 * The exported ONNX model, run by ONNX Runtime for Java, gives relreason's own inference-mode
 * features on real Fashion-MNIST images, to 1e-4, for Conv-4, ResNet-32 and ResNet-34 after two
 * training updates (so that weights and batch-norm running statistics are not their initial ones).
 */
class OnnxExportTest {
  static final Path FMNIST =
      Path.of(System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist"));

  @Test
  void conv4(@TempDir Path dir) throws Exception {
    assertOrtEqualsRelreason(BackboneKind.CONV4, 0, 64, dir);
  }

  @Test
  void resnet32(@TempDir Path dir) throws Exception {
    assertOrtEqualsRelreason(BackboneKind.RESNET32, 0, 32, dir);
  }

  @Test
  void resnet34(@TempDir Path dir) throws Exception {
    assertOrtEqualsRelreason(BackboneKind.RESNET34, 0, 8, dir);
  }

  @Test
  void conv4WithARepresentationLayer(@TempDir Path dir) throws Exception {
    assertOrtEqualsRelreason(BackboneKind.CONV4, 16, 32, dir);
  }

  private static void assertOrtEqualsRelreason(
      BackboneKind kind, int representation, int n, Path dir) throws Exception {
    assumeTrue(
        Files.isDirectory(FMNIST) || System.getenv("CI") != null, "Fashion-MNIST is not installed");
    ImageSet images = Datasets.load("fashion-mnist", FMNIST, Split.TEST, n);
    Normalization norm = Datasets.normalization("fashion-mnist");
    BackboneSpec spec =
        new BackboneSpec(kind, 1, images.channels(), images.height(), images.width());
    Backbone backbone = Backbones.buildFast(spec, representation, 7, DataType.FLOAT);
    float[] x = normalized(images, norm);
    INDArray input = Nd4j.createFromArray(x).reshape('c', n, 3, 32, 32);
    for (int step = 0; step < 2; step++) {
      trainingUpdate(backbone, input, step);
    }
    float[] expected =
        backbone.forward(input, false).castTo(DataType.FLOAT).dup('c').data().asFloat();

    Path file = dir.resolve(kind.id() + ".onnx");
    BackboneExport.writeOnnx(backbone, spec, Map.of("normalization_mean", "0.286"), file);
    float[] actual = runOrt(file, x, n);

    assertThat(actual).hasSameSizeAs(expected);
    double maxAbs = 0;
    double scale = 0;
    for (int i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(actual[i] - expected[i]));
      scale = Math.max(scale, Math.abs(expected[i]));
    }
    System.out.printf(
        "onnx export %s%s: %d images, max |ort - relreason| = %.3g (max |feature| %.3g)%n",
        kind.id(), representation > 0 ? " +linear " + representation : "", n, maxAbs, scale);
    assertThat(scale).isGreaterThan(1e-3);
    assertThat(maxAbs).isLessThan(1e-4);
  }

  /**
   * One training forward and backward on a fixed feature gradient, then what the trainer applies:
   * batch-norm statistics deltas as they are and a step of Adam's size (1e-3 per entry) on the
   * others.
   */
  private static void trainingUpdate(Backbone backbone, INDArray input, int step) {
    INDArray f = backbone.forward(input, true);
    INDArray g = Nd4j.rand(DataType.FLOAT, f.shape()).subi(0.5).muli(0.1 * (step + 1));
    backbone.backward(g);
    boolean[] stats = backbone.statisticsMask();
    float[] p = backbone.params().dup('c').data().asFloat();
    float[] grad = backbone.gradients().dup('c').data().asFloat();
    for (int i = 0; i < p.length; i++) {
      p[i] -= stats[i] ? grad[i] : 1e-3f * Math.signum(grad[i]);
    }
    backbone.params().assign(Nd4j.createFromArray(p).reshape(backbone.params().shape()));
  }

  static float[] runOrt(Path model, float[] x, int n) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions o = new OrtSession.SessionOptions()) {
      o.setIntraOpNumThreads(1);
      try (OrtSession session = env.createSession(model.toString(), o);
          OnnxTensor t =
              OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 3, 32, 32});
          OrtSession.Result r = session.run(Map.of("images", t))) {
        float[][] out = (float[][]) r.get("features").orElseThrow().getValue();
        float[] flat = new float[out.length * out[0].length];
        for (int i = 0; i < out.length; i++) {
          System.arraycopy(out[i], 0, flat, i * out[i].length, out[i].length);
        }
        return flat;
      }
    }
  }

  /** The images normalised as the feature extractor does, NCHW. */
  static float[] normalized(ImageSet images, Normalization norm) {
    int per = images.imageBytes();
    int plane = images.height() * images.width();
    float[] out = new float[images.size() * per];
    for (int k = 0; k < out.length; k++) {
      out[k] = norm.apply((k % per) / plane, images.pixels()[k] & 0xFF);
    }
    return out;
  }
}

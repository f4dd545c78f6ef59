package org.relreason.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.io.SafeTensors;

/**
 * {@code export} and {@code embed} (#15, item 6) on a 3-step Conv-4 (width 0.5) checkpoint of real
 * Fashion-MNIST: the ONNX file run by ONNX Runtime gives the features relreason computes, the
 * safetensors file holds PyTorch-named tensors, and the {@code .npy} file has the exact v1.0 header
 * and the features, and {@code numpy.load} reads it when numpy is installed.
 */
class ExportEmbedCommandTest {
  @TempDir static Path dir;
  static Path checkpoint;

  @BeforeAll
  static void train() throws IOException {
    // 64 images at M=16: 4 steps of one epoch, stopped after 3
    CliRun.trainTiny(
        dir, "export", "--m", "16", "--k", "2", "--checkpoint-dir", dir.resolve("ck").toString());
    checkpoint = dir.resolve("ck/checkpoint-3.rrck");
    assertThat(checkpoint).exists();
  }

  /** relreason's own features of the first {@code n} test images, through the checkpoint. */
  private static float[] relreasonFeatures(int n) throws IOException {
    CheckpointBackbone b = CheckpointBackbone.load(checkpoint, null);
    ImageSet test = Datasets.load("fashion-mnist", Path.of(CliRun.FMNIST), Split.TEST, n);
    return new FeatureExtractor(b.normalization()).features(b.backbone(), test);
  }

  @Test
  void onnxRuntimeGivesRelreasonsFeatures() throws Exception {
    Path onnx = dir.resolve("conv4.onnx");
    CliRun r =
        CliRun.run(
            "export",
            "--checkpoint",
            checkpoint.toString(),
            "--format",
            "onnx",
            "--out",
            onnx.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("exported conv4 backbone")
        .contains("input N,3,32,32, 32 features");
    int n = 50;
    ImageSet test = Datasets.load("fashion-mnist", Path.of(CliRun.FMNIST), Split.TEST, n);
    CheckpointBackbone b = CheckpointBackbone.load(checkpoint, null);
    float[] x = new float[n * test.imageBytes()];
    int plane = 32 * 32;
    for (int k = 0; k < x.length; k++) {
      x[k] = b.normalization().apply((k % test.imageBytes()) / plane, test.pixels()[k] & 0xFF);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    float[][] ort;
    try (OrtSession s = env.createSession(onnx.toString(), new OrtSession.SessionOptions());
        OnnxTensor t =
            OnnxTensor.createTensor(env, FloatBuffer.wrap(x), new long[] {n, 3, 32, 32});
        OrtSession.Result out = s.run(Map.of("images", t))) {
      ort = (float[][]) out.get("features").orElseThrow().getValue();
      assertThat(s.getMetadata().getCustomMetadata())
          .containsEntry("backbone", "conv4")
          .containsEntry("dataset", "fashion-mnist")
          .containsKey("normalization_mean");
    }
    float[] expected = relreasonFeatures(n);
    double max = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < 32; j++) {
        max = Math.max(max, Math.abs(ort[i][j] - expected[i * 32 + j]));
      }
    }
    System.out.printf("export conv4 checkpoint: max |ort - relreason| = %.3g%n", max);
    assertThat(max).isLessThan(1e-4);
  }

  @Test
  void safetensorsHoldThePyTorchNamedWeights() throws Exception {
    Path st = dir.resolve("conv4.safetensors");
    CliRun r =
        CliRun.run(
            "export",
            "--checkpoint",
            checkpoint.toString(),
            "--format",
            "safetensors",
            "--out",
            st.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    SafeTensors t = SafeTensors.read(st);
    // width 0.5: 4 channels in the first block
    assertThat(t.get("block1_conv.weight").shape()).containsExactly(4, 3, 3, 3);
    assertThat(t.get("block1_bn.running_var").shape()).containsExactly(4);
    assertThat(Arrays.stream(t.get("block4_bn.running_var").values()).min().orElseThrow())
        .isPositive();
    assertThat(t.metadata())
        .containsEntry("backbone", "conv4")
        .containsEntry("checkpoint_step", "3")
        .containsKey("ops");
    assertThat(t.metadata().get("ops")).startsWith("block1_conv=conv(images)");
    CliRun bad =
        CliRun.run(
            "export", "--checkpoint", checkpoint.toString(), "--format", "tflite", "--out", "x");
    assertThat(bad.exit()).isEqualTo(2);
    assertThat(bad.err()).contains("--format: expected onnx or safetensors, got 'tflite'");
  }

  @Test
  void embedWritesANpyFileWithTheExactHeaderAndTheFeatures() throws Exception {
    Path npy = dir.resolve("test.npy");
    CliRun r =
        CliRun.run(
            "embed",
            "--checkpoint",
            checkpoint.toString(),
            "--dataset",
            "fashion-mnist",
            "--limit",
            "100",
            "--batch-size",
            "32",
            "--out",
            npy.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("embedded 100 images").contains("[100, 32] float32");
    byte[] bytes = Files.readAllBytes(npy);
    String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (100, 32), }";
    // 10 bytes of magic, version and length + the dict + spaces + '\n' = 128, a multiple of 64
    String header = dict + " ".repeat(128 - 10 - dict.length() - 1) + "\n";
    ByteBuffer expected = ByteBuffer.allocate(128).order(ByteOrder.LITTLE_ENDIAN);
    expected.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1);
    expected.put((byte) 0).putShort((short) 118).put(header.getBytes(StandardCharsets.US_ASCII));
    assertThat(Arrays.copyOf(bytes, 128)).isEqualTo(expected.array());
    assertThat(bytes).hasSize(128 + 100 * 32 * 4);
    float[] features = new float[100 * 32];
    ByteBuffer.wrap(bytes, 128, bytes.length - 128)
        .order(ByteOrder.LITTLE_ENDIAN)
        .asFloatBuffer()
        .get(features);
    assertThat(features).containsExactly(relreasonFeatures(100));
    assertThat(Files.list(dir).map(Path::toString)).noneMatch(p -> p.endsWith(".tmp"));

    assumeTrue(numpyAvailable(), "numpy is not installed for /usr/bin/python3");
    Process p =
        new ProcessBuilder(
                "/usr/bin/python3",
                "-c",
                "import numpy, sys; a = numpy.load(sys.argv[1]); "
                    + "print(a.shape, a.dtype, '%.6f' % float(a[3, 5]))",
                npy.toString())
            .redirectErrorStream(true)
            .start();
    String printed = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(printed).isZero();
    assertThat(printed).isEqualTo(String.format("(100, 32) float32 %.6f", features[3 * 32 + 5]));
  }

  @Test
  void embedReadsAFolderOfImages(@TempDir Path images) throws Exception {
    for (int i = 0; i < 3; i++) {
      BufferedImage img = new BufferedImage(40, 40, BufferedImage.TYPE_INT_RGB);
      for (int y = 0; y < 40; y++) {
        for (int x = 0; x < 40; x++) {
          img.setRGB(x, y, ((x * 6 + i * 40) & 0xFF) << 16 | ((y * 6) & 0xFF) << 8 | (i * 80));
        }
      }
      ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
    }
    Path npy = dir.resolve("folder.npy");
    CliRun r =
        CliRun.run(
            "embed",
            "--checkpoint",
            checkpoint.toString(),
            "--images",
            images.toString(),
            "--out",
            npy.toString());
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("embedded 3 images").contains("[3, 32] float32");
    assertThat(Files.size(npy)).isEqualTo(128 + 3 * 32 * 4);
    CliRun neither = CliRun.run("embed", "--checkpoint", checkpoint.toString(), "--out", "x.npy");
    assertThat(neither.exit()).isNotZero();
    assertThat(neither.err()).contains("--images").contains("--dataset");
  }

  private static boolean numpyAvailable() throws Exception {
    if (!Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return false;
    }
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", "import numpy").start();
    return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
  }
}

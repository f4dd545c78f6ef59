package org.relreason.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.relreason.model.io.BackboneExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code export}: the backbone of a checkpoint, in inference mode, as an ONNX model or as
 * safetensors weights ({@link BackboneExport}).
 */
@Command(
    name = "export",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the backbone of a checkpoint for other tools, in inference mode (batch-norm with its",
      "running statistics): onnx = a model from normalised images [N,C,H,W] to features [N,D];",
      "safetensors = the weights under PyTorch's names (weight, bias, running_mean, running_var)."
    })
final class ExportCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      paramLabel = "FILE",
      description = "a checkpoint-<step>.rrck file")
  Path checkpoint;

  @Option(
      names = "--format",
      required = true,
      paramLabel = "onnx|safetensors",
      description = "onnx or safetensors")
  String format;

  @Option(names = "--out", required = true, paramLabel = "FILE", description = "file to write")
  Path out;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description =
          "the checkpoint's dataset (one test image gives the input size; default: the"
              + " checkpoint's data-dir)")
  String dataDir;

  @Override
  public Integer call() throws Exception {
    String f = format.toLowerCase(Locale.ROOT);
    if (!f.equals("onnx") && !f.equals("safetensors")) {
      throw new IllegalArgumentException(
          "--format: expected onnx or safetensors, got '" + format + "'");
    }
    CheckpointBackbone b = CheckpointBackbone.load(checkpoint, dataDir);
    if (f.equals("onnx")) {
      BackboneExport.writeOnnx(b.backbone(), b.spec(), b.metadata(), out);
    } else {
      BackboneExport.writeSafeTensors(b.backbone(), b.spec(), b.metadata(), out);
    }
    System.out.printf(
        "exported %s backbone of %s (step %d) as %s to %s (%,d bytes): input %s, %d features%n",
        b.spec().kind().id(),
        checkpoint,
        b.step(),
        f,
        out,
        Files.size(out),
        b.metadata().get("input_shape"),
        b.backbone().featureSize());
    return 0;
  }
}

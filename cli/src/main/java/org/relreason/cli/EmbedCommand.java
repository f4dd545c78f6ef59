package org.relreason.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Split;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.io.NpyWriter;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code embed}: the features of a checkpoint's frozen backbone (inference mode, as the evaluation
 * computes them) for a folder of images or a dataset split, as a NumPy {@code .npy} matrix {@code
 * [N, D]} of float32 ({@link NpyWriter}), one row per image in the order read.
 */
@Command(
    name = "embed",
    mixinStandardHelpOptions = true,
    description = {
      "Writes the features of a checkpoint's backbone for a folder of images or a dataset split",
      "as a NumPy .npy file [N, D] of float32 (numpy.load reads it), with a progress bar."
    })
final class EmbedCommand implements Callable<Integer> {
  @Option(
      names = "--checkpoint",
      required = true,
      paramLabel = "FILE",
      description = "a checkpoint-<step>.rrck file")
  Path checkpoint;

  @ArgGroup(multiplicity = "1")
  Source source;

  static final class Source {
    @Option(
        names = "--images",
        paramLabel = "DIR",
        description =
            "a folder of PNG/JPEG images (or of class sub-folders), resized to the backbone's input"
                + " and normalised as the checkpoint's dataset; rows in file-name order")
    Path images;

    @Option(
        names = "--dataset",
        paramLabel = "NAME",
        description = "a dataset's split instead (fashion-mnist, cifar10, ...; see --split)")
    String dataset;
  }

  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "train|test|unlabeled",
      description = "split of --dataset (default: ${DEFAULT-VALUE})")
  String split;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      description = "directory of --dataset's files (default: the checkpoint's)")
  String dataDir;

  @Option(
      names = "--limit",
      defaultValue = "0",
      paramLabel = "N",
      description = "only the first N images (0 = all)")
  int limit;

  @Option(names = "--out", required = true, paramLabel = "F.npy", description = "file to write")
  Path out;

  @Option(
      names = "--batch-size",
      defaultValue = "256",
      paramLabel = "N",
      description = "images per forward pass (default: ${DEFAULT-VALUE})")
  int batchSize;

  @Override
  public Integer call() throws Exception {
    boolean sameDataset = source.dataset == null || isCheckpointDataset(source.dataset);
    CheckpointBackbone b = CheckpointBackbone.load(checkpoint, sameDataset ? dataDir : null);
    ImageSet images = images(b);
    if (limit > 0 && limit < images.size()) {
      images = images.head(limit);
    }
    FeatureExtractor fx = new FeatureExtractor(b.normalization(), batchSize);
    int d = b.backbone().featureSize();
    try (NpyWriter npy = new NpyWriter(out, images.size(), d);
        ProgressBar bar =
            new ProgressBarBuilder()
                .setTaskName("embed")
                .setInitialMax(images.size())
                .setStyle(ProgressBarStyle.ASCII)
                .setUnit(" images", 1)
                .setUpdateIntervalMillis(250)
                .showSpeed()
                .build()) {
      for (int from = 0; from < images.size(); from += batchSize) {
        int to = Math.min(images.size(), from + batchSize);
        int[] idx = new int[to - from];
        for (int i = 0; i < idx.length; i++) {
          idx[i] = from + i;
        }
        npy.write(fx.features(b.backbone(), images.subset(idx, images.name())));
        bar.stepTo(to);
      }
    }
    System.out.printf(
        "embedded %,d images of %s with the %s backbone of %s (step %d): %s [%d, %d] float32%n",
        images.size(),
        images.name(),
        b.spec().kind().id(),
        checkpoint,
        b.step(),
        out,
        images.size(),
        d);
    return 0;
  }

  private Split split() {
    for (Split s : Split.values()) {
      if (s.name().equalsIgnoreCase(split)) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "--split: expected train, test or unlabeled, got '" + split + "'");
  }

  private boolean isCheckpointDataset(String dataset) throws java.io.IOException {
    return org.relreason.model.train.CheckpointStore.load(checkpoint)
        .config()
        .get("dataset")
        .equals(dataset);
  }

  /** The images to embed, at the backbone's input geometry. */
  private ImageSet images(CheckpointBackbone b) throws java.io.IOException {
    ImageSet set;
    if (source.images != null) {
      set = Datasets.loadImageFolder(source.images, b.spec().height());
    } else {
      Path dir = Path.of(dataDir != null ? dataDir : b.config().dataDir());
      set = Datasets.load(source.dataset, dir, split());
    }
    if (set.channels() != b.spec().channels()
        || set.height() != b.spec().height()
        || set.width() != b.spec().widthPx()) {
      throw new IllegalArgumentException(
          set.name()
              + " has images "
              + set.channels()
              + "x"
              + set.height()
              + "x"
              + set.width()
              + " but the backbone takes "
              + b.metadata().get("input_shape").substring(2).replace(',', 'x'));
    }
    return set;
  }
}

package org.relreason.model.eval;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import org.relreason.model.data.Datasets;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.data.Split;

/**
 * The images a protocol runs on, and what the backbone was pre-trained on (the transfer and grain
 * protocols compare the two; every protocol checks the backbone can take the images).
 *
 * @param pretrainDataset name of the pre-training dataset (e.g. {@code fashion-mnist})
 * @param pretrainGeometry image geometry the backbone was built for
 * @param dataset name of the evaluation dataset
 * @param train its training split (or the first images of it)
 * @param test its test split (or the first images of it)
 * @param normalization the evaluation dataset's per-channel normalisation
 */
public record EvalData(
    String pretrainDataset,
    Geometry pretrainGeometry,
    String dataset,
    ImageSet train,
    ImageSet test,
    Normalization normalization) {

  public EvalData {
    Objects.requireNonNull(pretrainDataset, "pretrainDataset");
    Objects.requireNonNull(pretrainGeometry, "pretrainGeometry");
    Objects.requireNonNull(dataset, "dataset");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    Objects.requireNonNull(normalization, "normalization");
  }

  /**
   * Channels, rows and columns of an image.
   *
   * @param channels 1 or 3
   * @param height rows
   * @param width columns
   */
  public record Geometry(int channels, int height, int width) {
    /** The geometry of a set's images. */
    public static Geometry of(ImageSet s) {
      return new Geometry(s.channels(), s.height(), s.width());
    }

    @Override
    public String toString() {
      return channels + "x" + height + "x" + width;
    }
  }

  /**
   * Reads a named dataset's splits.
   *
   * @param trainLimit first training images to use, 0 for all
   * @param testLimit first test images to use, 0 for all
   */
  public static EvalData load(
      String pretrainDataset,
      Geometry pretrainGeometry,
      String dataset,
      Path dataDir,
      int trainLimit,
      int testLimit)
      throws IOException {
    ImageSet train =
        trainLimit > 0
            ? Datasets.load(dataset, dataDir, Split.TRAIN, trainLimit)
            : Datasets.load(dataset, dataDir, Split.TRAIN);
    ImageSet test =
        testLimit > 0
            ? Datasets.load(dataset, dataDir, Split.TEST, testLimit)
            : Datasets.load(dataset, dataDir, Split.TEST);
    return new EvalData(
        pretrainDataset, pretrainGeometry, dataset, train, test, Datasets.normalization(dataset));
  }
}

package org.relreason.model.eval;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.relreason.model.ResultJson;
import org.relreason.model.data.ImageSet;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.nn.Backbone;

/**
 * The one entry point of the paper's evaluation protocols: {@link #run(Protocol, Backbone,
 * EvalData, ProtocolConfig)} takes a pre-trained backbone, the images ({@link EvalData}) and the
 * settings, and returns a {@link ProtocolResult}. The CLI ({@code eval --protocol}) and the
 * benchmark grid both call it.
 *
 * <table>
 * <caption>What each protocol does</caption>
 * <tr><th>protocol</th><th>datasets</th><th>measures</th></tr>
 * <tr><td>linear</td><td>any the backbone takes</td><td>linear top-1 (frozen features)</td></tr>
 * <tr><td>transfer</td><td>evaluation dataset differs from the pre-training one</td>
 *     <td>linear top-1 on the other dataset</td></tr>
 * <tr><td>grain</td><td>pre-trained on cifar100, evaluated on cifar100-20</td>
 *     <td>linear top-1 on the 20 coarse labels</td></tr>
 * <tr><td>finetune</td><td>any</td><td>top-1 of backbone + head trained together</td></tr>
 * <tr><td>fractions</td><td>any</td>
 *     <td>linear (and fine-tune) top-1 per label fraction</td></tr>
 * <tr><td>retrieval</td><td>any</td>
 *     <td>top-k precision by class; picture of queries and neighbours</td></tr>
 * <tr><td>embedding</td><td>any</td><td>t-SNE picture, 2-D kNN purity</td></tr>
 * </table>
 *
 * <p>Every protocol first checks that the backbone can take the evaluation images: the backbones
 * here are built for one input geometry (Conv-4's fast path preallocates for it), so a dataset of
 * another channel count or size is refused with both datasets named. The backbone's parameters are
 * the same after the call as before (fine-tuning works on them and restores them).
 */
public final class EvalProtocols {
  /** Neighbours in the 2-D purity of the embedding picture. */
  static final int PURITY_K = 10;

  /** Side of the embedding picture in pixels (plus the legend). */
  static final int PLOT_SIZE = 720;

  private EvalProtocols() {}

  /** Runs {@code protocol} on {@code backbone}; see the class comment for what each does. */
  public static ProtocolResult run(
      Protocol protocol, Backbone backbone, EvalData data, ProtocolConfig config) {
    Objects.requireNonNull(protocol, "protocol");
    Objects.requireNonNull(backbone, "backbone");
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(config, "config");
    requireDatasets(protocol, data);
    long start = System.nanoTime();
    Builder r = new Builder(protocol, data);
    switch (protocol) {
      case LINEAR, TRANSFER, GRAIN -> r.linearTop1 = linear(backbone, data, config);
      case FINETUNE -> fineTune(backbone, data, config, r);
      case FRACTIONS -> r.fractions = fractions(backbone, data, config);
      case RETRIEVAL -> retrieval(backbone, data, config, r);
      case EMBEDDING -> embedding(backbone, data, config, r);
    }
    return r.build((System.nanoTime() - start) / 1e9);
  }

  /**
   * Fails, naming both datasets, unless the protocol accepts the pair and the backbone can take the
   * evaluation images.
   */
  public static void requireDatasets(Protocol protocol, EvalData data) {
    EvalData.Geometry want = data.pretrainGeometry();
    for (ImageSet s : List.of(data.train(), data.test())) {
      if (!EvalData.Geometry.of(s).equals(want)) {
        throw new IllegalArgumentException(
            "the backbone was pre-trained on "
                + data.pretrainDataset()
                + " ("
                + want
                + " images) and cannot take "
                + data.dataset()
                + "'s "
                + EvalData.Geometry.of(s)
                + " images ("
                + s.name()
                + ")");
      }
    }
    if (protocol == Protocol.TRANSFER && data.dataset().equals(data.pretrainDataset())) {
      throw new IllegalArgumentException(
          "transfer: the evaluation dataset "
              + data.dataset()
              + " is the pre-training dataset "
              + data.pretrainDataset()
              + "; pass another one (e.g. --dataset mnist)");
    }
    if (protocol == Protocol.GRAIN
        && (!data.pretrainDataset().startsWith("cifar100")
            || !data.dataset().equals("cifar100-20"))) {
      throw new IllegalArgumentException(
          "grain: pre-train on cifar100 and evaluate on cifar100-20; got pre-training dataset "
              + data.pretrainDataset()
              + " and evaluation dataset "
              + data.dataset());
    }
  }

  private static double linear(Backbone backbone, EvalData data, ProtocolConfig config) {
    FeatureExtractor fx = new FeatureExtractor(data.normalization());
    FeatureSet train = fx.extract(backbone, data.train());
    FeatureSet test = fx.extract(backbone, data.test());
    return Probes.evaluate(config.probe(), config.linear(), train, test).testTop1();
  }

  private static void fineTune(Backbone backbone, EvalData data, ProtocolConfig config, Builder r) {
    FineTuner.Result f =
        withRestoredParams(backbone, () -> fineTuneOnce(backbone, data.train(), data, config));
    r.fineTuneTop1 = f.testTop1();
    r.fineTuneEpochLosses = f.epochLosses();
    r.fineTuneAugmentation = config.fineTune().augmentation().asMap();
  }

  private static FineTuner.Result fineTuneOnce(
      Backbone backbone, ImageSet train, EvalData data, ProtocolConfig config) {
    return new FineTuner(config.fineTune()).run(backbone, train, data.test(), data.normalization());
  }

  /** Linear evaluation (and fine-tuning) with each fraction of the training labels. */
  private static List<ProtocolResult.FractionResult> fractions(
      Backbone backbone, EvalData data, ProtocolConfig config) {
    FeatureExtractor fx = new FeatureExtractor(data.normalization());
    FeatureSet train = fx.extract(backbone, data.train());
    FeatureSet test = fx.extract(backbone, data.test());
    List<ProtocolResult.FractionResult> out = new ArrayList<>();
    for (double fraction : config.fractions()) {
      int[] kept =
          LabelFractions.select(
              train.labels(), train.numClasses(), fraction, config.linear().seed());
      double linear =
          Probes.evaluate(config.probe(), config.linear(), LabelFractions.subset(train, kept), test)
              .testTop1();
      Double ft = null;
      if (config.fineTuneFractions()) {
        ImageSet labelled = data.train().subset(kept, data.train().name() + "@" + fraction);
        ft =
            withRestoredParams(backbone, () -> fineTuneOnce(backbone, labelled, data, config))
                .testTop1();
      }
      out.add(new ProtocolResult.FractionResult(fraction, kept.length, linear, ft));
    }
    return out;
  }

  private static void retrieval(
      Backbone backbone, EvalData data, ProtocolConfig config, Builder r) {
    FeatureExtractor fx = new FeatureExtractor(data.normalization());
    FeatureSet gallery = fx.extract(backbone, data.train());
    ImageSet queryImages = data.test().head(config.retrievalQueries());
    FeatureSet queries = fx.extract(backbone, queryImages);
    int k = Math.min(config.retrievalK(), gallery.n());
    ImageRetrieval.Neighbours nb = ImageRetrieval.search(gallery, queries, k);
    r.retrievalK = k;
    r.precisionAtK = ImageRetrieval.precision(nb, gallery.labels(), queries.labels());
    r.testImages = queryImages.size();
    if (config.picture() != null) {
      int[] rows = pictureQueries(queries.labels(), queries.numClasses(), config.pictureQueries());
      int[][] shown = new int[rows.length][];
      for (int i = 0; i < rows.length; i++) {
        shown[i] = nb.index()[rows[i]];
      }
      write(Pictures.retrievalGrid(queryImages, rows, data.train(), shown), config.picture(), r);
    }
  }

  /**
   * Which queries the picture shows: the first query of class 0, of class 1, …, then the second of
   * each class, and so on, so the rows cover the classes.
   */
  static int[] pictureQueries(int[] labels, int numClasses, int count) {
    List<Integer> rows = new ArrayList<>();
    for (int round = 0; rows.size() < Math.min(count, labels.length); round++) {
      boolean any = false;
      for (int c = 0; c < numClasses && rows.size() < count; c++) {
        int found = -1;
        int n = 0;
        for (int i = 0; i < labels.length; i++) {
          if (labels[i] == c && n++ == round) {
            found = i;
            break;
          }
        }
        if (found >= 0) {
          rows.add(found);
          any = true;
        }
      }
      if (!any) {
        break;
      }
    }
    return rows.stream().mapToInt(Integer::intValue).toArray();
  }

  private static void embedding(
      Backbone backbone, EvalData data, ProtocolConfig config, Builder r) {
    ImageSet points = data.test().head(config.embeddingPoints());
    FeatureSet f = new FeatureExtractor(data.normalization()).extract(backbone, points);
    double[][] xy = Embedding2d.tsne(f, config.tsne());
    r.embeddingPurity = Embedding2d.knnPurity(xy, f.labels(), Math.min(PURITY_K, f.n() - 1));
    r.testImages = points.size();
    if (config.picture() != null) {
      String title =
          String.format(
              "t-SNE of %d %s test features (backbone pre-trained on %s); 2-D 10-NN purity %.3f",
              f.n(), data.dataset(), data.pretrainDataset(), r.embeddingPurity);
      String footer =
          String.format(
              "t-SNE (exact), perplexity %s, %d iterations, seed %d; drawn with" + " Java2D",
              java.math.BigDecimal.valueOf(config.tsne().perplexity())
                  .stripTrailingZeros()
                  .toPlainString(),
              config.tsne().iterations(),
              config.tsne().seed());
      BufferedImage plot =
          Pictures.scatter(
              xy,
              f.labels(),
              ClassNames.of(data.dataset(), f.numClasses()),
              title,
              footer,
              PLOT_SIZE);
      write(plot, config.picture(), r);
    }
  }

  private static void write(BufferedImage img, Path file, Builder r) {
    try {
      Pictures.writePng(img, file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the picture " + file, e);
    }
    r.picture = file.toString();
  }

  /** Runs {@code body} and puts the backbone's parameters back as they were before. */
  private static <T> T withRestoredParams(Backbone backbone, java.util.function.Supplier<T> body) {
    INDArray saved = backbone.params().dup();
    try {
      return body.get();
    } finally {
      backbone.params().assign(saved);
      saved.close();
    }
  }

  /** The JSON writer of results (snake_case keys, indented). */
  public static ObjectMapper json() {
    return ResultJson.mapper();
  }

  /** Writes a result as JSON atomically ({@link ResultJson#write}). */
  public static void write(ProtocolResult result, Path file) throws IOException {
    ResultJson.write(result, file);
  }

  /** Fields filled by the protocol that runs. */
  private static final class Builder {
    final Protocol protocol;
    final EvalData data;
    int testImages;
    Double linearTop1;
    Double fineTuneTop1;
    List<Double> fineTuneEpochLosses;
    java.util.Map<String, Double> fineTuneAugmentation;
    List<ProtocolResult.FractionResult> fractions;
    Integer retrievalK;
    Double precisionAtK;
    Double embeddingPurity;
    String picture;

    Builder(Protocol protocol, EvalData data) {
      this.protocol = protocol;
      this.data = data;
      this.testImages = data.test().size();
    }

    ProtocolResult build(double seconds) {
      return new ProtocolResult(
          protocol.id(),
          data.pretrainDataset(),
          data.dataset(),
          data.train().size(),
          testImages,
          linearTop1,
          fineTuneTop1,
          fineTuneEpochLosses,
          fineTuneAugmentation,
          fractions,
          retrievalK,
          precisionAtK,
          embeddingPurity,
          picture,
          seconds);
    }
  }
}

package org.relreason.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.relreason.model.eval.Embedding2d;
import org.relreason.model.eval.FineTuneAugmentation;
import org.relreason.model.eval.FineTuneConfig;
import org.relreason.model.eval.LabelFractions;
import org.relreason.model.eval.LinearConfig;
import org.relreason.model.eval.Protocol;
import org.relreason.model.eval.ProtocolConfig;
import picocli.CommandLine.Option;

/**
 * The flags of {@code eval --protocol P}: read as strings and validated here, so an error names the
 * flag and the value. Without {@code --protocol} none of them may be given.
 */
final class ProtocolOptions {
  @Option(
      names = "--protocol",
      paramLabel = "P",
      description =
          "evaluation protocol: linear, transfer, grain, finetune, fractions, retrieval, embedding"
              + " (default: linear evaluation + kNN monitor, as before)")
  String protocol;

  @Option(
      names = "--dataset",
      paramLabel = "D",
      description =
          "evaluation dataset (default: the checkpoint's; grain: cifar100-20; transfer: required)")
  String dataset;

  @Option(
      names = "--result-file",
      paramLabel = "FILE",
      description = "write the protocol's result as JSON")
  Path resultFile;

  @Option(
      names = "--picture",
      paramLabel = "FILE",
      description = "PNG of the retrieval grid or the embedding plot")
  Path picture;

  @Option(
      names = "--fractions",
      paramLabel = "LIST",
      description = "label fractions in (0, 1], comma-separated (default: 0.01,0.1,0.25,0.5,1)")
  String fractions;

  @Option(
      names = "--finetune-epochs",
      paramLabel = "N",
      description =
          "fine-tuning epochs (finetune: default 100; fractions: also fine-tune at each fraction)")
  String fineTuneEpochs;

  @Option(
      names = "--finetune-augment",
      paramLabel = "SPEC",
      description =
          "fine-tuning augmentation: none (default) or authors (the authors' fine-tuning"
              + " transforms: flip, random affine, random erasing), then optional ,key=value"
              + " overrides of flip, affine, degrees, translate, scale-min, scale-max, shear,"
              + " erasing, erasing-area (e.g. authors,erasing=0)")
  String fineTuneAugment;

  @Option(
      names = "--retrieval-k",
      paramLabel = "N",
      description = "neighbours per retrieval query (default: 10)")
  String retrievalK;

  @Option(
      names = "--queries",
      paramLabel = "N",
      description = "test images used as retrieval queries (default: all)")
  String queries;

  @Option(
      names = "--picture-queries",
      paramLabel = "N",
      description = "queries drawn in the retrieval picture (default: 8)")
  String pictureQueries;

  @Option(
      names = "--embedding-points",
      paramLabel = "N",
      description = "test images embedded by t-SNE (default: 2000)")
  String embeddingPoints;

  @Option(names = "--perplexity", paramLabel = "X", description = "t-SNE perplexity (default: 30)")
  String perplexity;

  @Option(
      names = "--tsne-iterations",
      paramLabel = "N",
      description = "t-SNE iterations, >= 250 (default: 1000)")
  String tsneIterations;

  /** The flags given that only make sense with {@code --protocol}. */
  List<String> givenWithoutProtocol() {
    List<String> given = new ArrayList<>();
    Object[][] all = {
      {"--dataset", dataset},
      {"--result-file", resultFile},
      {"--picture", picture},
      {"--fractions", fractions},
      {"--finetune-epochs", fineTuneEpochs},
      {"--finetune-augment", fineTuneAugment},
      {"--retrieval-k", retrievalK},
      {"--queries", queries},
      {"--picture-queries", pictureQueries},
      {"--embedding-points", embeddingPoints},
      {"--perplexity", perplexity},
      {"--tsne-iterations", tsneIterations}
    };
    for (Object[] o : all) {
      if (o[1] != null) {
        given.add((String) o[0]);
      }
    }
    return given;
  }

  /** The protocol named by {@code --protocol}. */
  Protocol protocol() {
    try {
      return Protocol.of(protocol);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("--protocol: " + e.getMessage(), e);
    }
  }

  /** The evaluation dataset: {@code --dataset}, else grain's cifar100-20, else the checkpoint's. */
  String dataset(Protocol p, String pretrainDataset) {
    if (dataset != null) {
      return dataset;
    }
    if (p == Protocol.TRANSFER) {
      throw new IllegalArgumentException(
          "--dataset: the transfer protocol needs the dataset to evaluate on (pre-trained on "
              + pretrainDataset
              + ")");
    }
    return p == Protocol.GRAIN ? "cifar100-20" : pretrainDataset;
  }

  /** The validated settings; {@code linear} carries the checkpoint's epochs and seed. */
  ProtocolConfig config(Protocol p, LinearConfig linear, long seed) {
    return config(p, linear, seed, null);
  }

  /**
   * The validated settings; {@code linear} carries the checkpoint's epochs and seed, {@code
   * dataset} (the evaluation dataset) chooses the authors' erased area.
   */
  ProtocolConfig config(Protocol p, LinearConfig linear, long seed, String dataset) {
    ProtocolConfig d = ProtocolConfig.defaults(seed);
    FineTuneConfig ft = d.fineTune();
    if (fineTuneAugment != null) {
      if (p != Protocol.FINETUNE && p != Protocol.FRACTIONS) {
        throw new IllegalArgumentException(
            "--finetune-augment: only the finetune and fractions protocols fine-tune, not "
                + p.id());
      }
      try {
        ft =
            ft.withAugmentation(
                FineTuneAugmentation.parse(fineTuneAugment, String.valueOf(dataset)));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--finetune-augment: " + e.getMessage(), e);
      }
    }
    boolean ftFractions = false;
    if (fineTuneEpochs != null) {
      ft = ft.withEpochs(atLeast("--finetune-epochs", fineTuneEpochs, 1));
      ftFractions = p == Protocol.FRACTIONS;
    }
    if (picture != null && p != Protocol.RETRIEVAL && p != Protocol.EMBEDDING) {
      throw new IllegalArgumentException(
          "--picture: only the retrieval and embedding protocols draw a picture, not " + p.id());
    }
    int iterations =
        tsneIterations == null
            ? d.tsne().iterations()
            : atLeast("--tsne-iterations", tsneIterations, 250);
    double perp = perplexity == null ? d.tsne().perplexity() : number("--perplexity", perplexity);
    if (!(perp > 1)) {
      throw new IllegalArgumentException("--perplexity must be > 1, got " + perplexity);
    }
    return new ProtocolConfig(
        linear,
        ft,
        fractions == null ? d.fractions() : fractions(fractions),
        ftFractions,
        retrievalK == null ? d.retrievalK() : atLeast("--retrieval-k", retrievalK, 1),
        queries == null ? Integer.MAX_VALUE : atLeast("--queries", queries, 1),
        pictureQueries == null
            ? d.pictureQueries()
            : atLeast("--picture-queries", pictureQueries, 1),
        embeddingPoints == null
            ? d.embeddingPoints()
            : atLeast("--embedding-points", embeddingPoints, 10),
        new Embedding2d.Settings(perp, d.tsne().learningRate(), iterations, seed),
        picture);
  }

  private static List<Double> fractions(String list) {
    List<Double> out = new ArrayList<>();
    for (String part : list.split(",")) {
      double f = number("--fractions", part.trim());
      try {
        LabelFractions.requireFraction(f);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("--fractions: " + e.getMessage(), e);
      }
      out.add(f);
    }
    return out;
  }

  private static int atLeast(String flag, String value, int min) {
    int v;
    try {
      v = Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be an integer, got '" + value + "'", e);
    }
    if (v < min) {
      throw new IllegalArgumentException(flag + " must be >= " + min + ", got " + v);
    }
    return v;
  }

  private static double number(String flag, String value) {
    try {
      double v = Double.parseDouble(value.trim());
      if (!Double.isFinite(v)) {
        throw new NumberFormatException();
      }
      return v;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(flag + " must be a number, got '" + value + "'", e);
    }
  }
}

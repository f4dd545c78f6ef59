package org.relreason.model.eval;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.relreason.model.config.ProbeKind;

/**
 * Settings of the protocols, read once and validated. {@link #defaults(long)} holds the paper's
 * settings where the paper has one.
 *
 * @param linear the linear evaluation (paper: Adam 1e-3, batch 128, 100 epochs)
 * @param fineTune the fine-tuning (paper: rates 1e-3 / 1e-4, weight decay 1e-5, steps at 50%/75%)
 * @param fractions label fractions of the semi-supervised protocol, each in (0, 1]
 * @param fineTuneFractions whether the fractions protocol also fine-tunes at each fraction
 * @param retrievalK neighbours per query for the precision (paper-style top-10)
 * @param retrievalQueries test images used as queries, at least 1 (all of them if fewer)
 * @param pictureQueries queries drawn in the retrieval picture, at least 1
 * @param embeddingPoints test images embedded by t-SNE, at least 10 (t-SNE here is O(n²))
 * @param tsne t-SNE settings
 * @param picture where the protocol's PNG goes (retrieval, embedding), or null for none
 * @param probe the classifier of the linear protocols (linear, transfer, grain, fractions) on
 *     frozen features; {@link ProbeKind#ADAM} is the paper's
 */
public record ProtocolConfig(
    LinearConfig linear,
    FineTuneConfig fineTune,
    List<Double> fractions,
    boolean fineTuneFractions,
    int retrievalK,
    int retrievalQueries,
    int pictureQueries,
    int embeddingPoints,
    Embedding2d.Settings tsne,
    Path picture,
    ProbeKind probe) {

  public ProtocolConfig {
    Objects.requireNonNull(linear, "linear");
    Objects.requireNonNull(probe, "probe");
    Objects.requireNonNull(fineTune, "fineTune");
    Objects.requireNonNull(tsne, "tsne");
    fractions = List.copyOf(fractions);
    if (fractions.isEmpty()) {
      throw new IllegalArgumentException("fractions: at least one label fraction is needed");
    }
    fractions.forEach(LabelFractions::requireFraction);
    if (retrievalK < 1) {
      throw new IllegalArgumentException("retrieval k must be >= 1, got " + retrievalK);
    }
    if (retrievalQueries < 1 || pictureQueries < 1) {
      throw new IllegalArgumentException(
          "retrieval queries must be >= 1, got " + retrievalQueries + " / " + pictureQueries);
    }
    if (embeddingPoints < 10) {
      throw new IllegalArgumentException("embedding points must be >= 10, got " + embeddingPoints);
    }
  }

  /** Settings with the paper's probe ({@link ProbeKind#ADAM}). */
  public ProtocolConfig(
      LinearConfig linear,
      FineTuneConfig fineTune,
      List<Double> fractions,
      boolean fineTuneFractions,
      int retrievalK,
      int retrievalQueries,
      int pictureQueries,
      int embeddingPoints,
      Embedding2d.Settings tsne,
      Path picture) {
    this(
        linear,
        fineTune,
        fractions,
        fineTuneFractions,
        retrievalK,
        retrievalQueries,
        pictureQueries,
        embeddingPoints,
        tsne,
        picture,
        ProbeKind.ADAM);
  }

  /**
   * The paper's settings (seeded): linear 100 epochs, fine-tuning 100 epochs, fractions 1, 10, 25,
   * 50, 100% without fine-tuning, top-10 retrieval on 10,000 queries (8 drawn), t-SNE of 2,000 test
   * images with perplexity 30, no picture file.
   */
  public static ProtocolConfig defaults(long seed) {
    return new ProtocolConfig(
        LinearConfig.PAPER.withSeed(seed),
        FineTuneConfig.PAPER.withSeed(seed),
        LabelFractions.PAPER,
        false,
        ImageRetrieval.DEFAULT_K,
        10_000,
        8,
        2_000,
        Embedding2d.Settings.defaults(seed),
        null);
  }

  /** These settings with another picture file. */
  public ProtocolConfig withPicture(Path file) {
    return new ProtocolConfig(
        linear,
        fineTune,
        fractions,
        fineTuneFractions,
        retrievalK,
        retrievalQueries,
        pictureQueries,
        embeddingPoints,
        tsne,
        file,
        probe);
  }

  /** These settings with another probe. */
  public ProtocolConfig withProbe(ProbeKind newProbe) {
    return new ProtocolConfig(
        linear,
        fineTune,
        fractions,
        fineTuneFractions,
        retrievalK,
        retrievalQueries,
        pictureQueries,
        embeddingPoints,
        tsne,
        picture,
        newProbe);
  }
}

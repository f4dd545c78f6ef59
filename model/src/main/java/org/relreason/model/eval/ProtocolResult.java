package org.relreason.model.eval;

import java.util.List;

/**
 * What a protocol measured; the fields a protocol does not produce are null. Written as JSON by the
 * CLI ({@code eval --protocol P --result-file F}) and read by the benchmark grid.
 *
 * @param protocol the protocol's id ({@link Protocol#id()})
 * @param pretrainDataset the dataset the backbone was pre-trained on
 * @param dataset the dataset evaluated on
 * @param trainImages training images used (features, fine-tuning, retrieval gallery)
 * @param testImages test images used (scores, queries, embedded points)
 * @param linearTop1 linear-evaluation top-1 on the test images (linear, transfer, grain)
 * @param fineTuneTop1 fine-tuning top-1 on the test images (finetune)
 * @param fineTuneEpochLosses mean training loss per fine-tuning epoch (finetune)
 * @param fineTuneAugmentation the fine-tuning augmentation's settings ({@link
 *     FineTuneAugmentation#asMap()}; finetune)
 * @param fractions one result per label fraction (fractions)
 * @param retrievalK neighbours per query (retrieval)
 * @param precisionAtK top-k precision by class, averaged over the queries (retrieval)
 * @param embeddingPurity share of each point's 10 nearest 2-D neighbours of its class (embedding)
 * @param picture the PNG written, or null
 * @param seconds wall time of the protocol (feature extraction included)
 */
public record ProtocolResult(
    String protocol,
    String pretrainDataset,
    String dataset,
    int trainImages,
    int testImages,
    Double linearTop1,
    Double fineTuneTop1,
    List<Double> fineTuneEpochLosses,
    java.util.Map<String, Double> fineTuneAugmentation,
    List<FractionResult> fractions,
    Integer retrievalK,
    Double precisionAtK,
    Double embeddingPurity,
    String picture,
    double seconds) {

  /**
   * One label fraction of the semi-supervised protocol.
   *
   * @param fraction share of the training labels, in (0, 1]
   * @param labels training examples kept ({@link LabelFractions#select})
   * @param linearTop1 linear-evaluation top-1 on the whole test split
   * @param fineTuneTop1 fine-tuning top-1, or null when not asked
   */
  public record FractionResult(
      double fraction, int labels, double linearTop1, Double fineTuneTop1) {}
}

package org.relreason.model.run;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;
import org.relreason.model.eval.LayerResult;
import org.relreason.model.eval.LinearResult;
import org.relreason.model.eval.OnlineProbe;

/**
 * The result of {@code train}: what tests, the dashboard and the benchmark read (also written as
 * JSON with these names in snake_case).
 *
 * @param dataset dataset name
 * @param method the pre-training method ({@code random}: none)
 * @param backbone backbone name
 * @param epochs epochs configured
 * @param steps steps completed in total
 * @param trainSeconds wall time of pre-training in this process
 * @param viewsPerSecond pre-training throughput
 * @param finalLoss mean loss of the last epoch
 * @param finalPositiveAccuracy last epoch's accuracy on positive pairs (a baseline: the accuracy of
 *     its pretext task)
 * @param finalNegativeAccuracy last epoch's accuracy on negative pairs (null for a baseline)
 * @param linearTop1 linear-evaluation top-1 on the test split
 * @param linearTrainTop1 linear classifier's top-1 on the evaluation training set
 * @param knnTop1 kNN-monitor top-1 on the test split
 * @param randomLinearTop1 linear top-1 of the randomly initialised backbone (null unless asked)
 * @param randomKnnTop1 kNN top-1 of the randomly initialised backbone (null unless asked)
 * @param evalSeconds wall time of the evaluations
 * @param evalTrainImages images the linear classifier was trained on
 * @param evalTestImages images it was tested on
 * @param history loss and pair accuracies per epoch
 * @param phaseSeconds step time per phase
 * @param backend ND4J backend description
 * @param config the configuration
 * @param linear the probe's whole result on the backbone's features (probe, chosen L2, …)
 * @param layers with {@code probe-layers all}: the probe on each block's pooled output, else null
 * @param randomLayers the same for the randomly initialised backbone (null unless both asked)
 * @param probes every configured probe on the backbone's features, first = {@code linear} (with
 *     their wall times: the probes' comparison of Kolesnikov et al. 2019)
 * @param randomProbes the same for the randomly initialised backbone (null unless asked)
 * @param probeCurve the online probe's points, in step order (null unless {@code probe-every})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TrainResult(
    String dataset,
    String method,
    String backbone,
    int epochs,
    long steps,
    double trainSeconds,
    double viewsPerSecond,
    Double finalLoss,
    Double finalPositiveAccuracy,
    Double finalNegativeAccuracy,
    Double linearTop1,
    Double linearTrainTop1,
    Double knnTop1,
    Double randomLinearTop1,
    Double randomKnnTop1,
    double evalSeconds,
    int evalTrainImages,
    int evalTestImages,
    List<PretrainResult.EpochStats> history,
    Map<String, Double> phaseSeconds,
    Map<String, String> backend,
    Map<String, String> config,
    LinearResult linear,
    List<LayerResult> layers,
    List<LayerResult> randomLayers,
    List<LinearResult> probes,
    List<LinearResult> randomProbes,
    List<OnlineProbe.Point> probeCurve) {

  /** A result without the probe's details and per-layer scores. */
  public TrainResult(
      String dataset,
      String method,
      String backbone,
      int epochs,
      long steps,
      double trainSeconds,
      double viewsPerSecond,
      Double finalLoss,
      Double finalPositiveAccuracy,
      Double finalNegativeAccuracy,
      Double linearTop1,
      Double linearTrainTop1,
      Double knnTop1,
      Double randomLinearTop1,
      Double randomKnnTop1,
      double evalSeconds,
      int evalTrainImages,
      int evalTestImages,
      List<PretrainResult.EpochStats> history,
      Map<String, Double> phaseSeconds,
      Map<String, String> backend,
      Map<String, String> config) {
    this(
        dataset,
        method,
        backbone,
        epochs,
        steps,
        trainSeconds,
        viewsPerSecond,
        finalLoss,
        finalPositiveAccuracy,
        finalNegativeAccuracy,
        linearTop1,
        linearTrainTop1,
        knnTop1,
        randomLinearTop1,
        randomKnnTop1,
        evalSeconds,
        evalTrainImages,
        evalTestImages,
        history,
        phaseSeconds,
        backend,
        config,
        null,
        null,
        null,
        null,
        null,
        null);
  }
}

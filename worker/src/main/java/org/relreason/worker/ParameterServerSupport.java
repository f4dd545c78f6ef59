package org.relreason.worker;

import org.relreason.model.config.TrainConfig;
import org.relreason.model.method.MethodKind;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Which configurations the parameter server trains, and the refusal of the others (an {@link
 * IllegalArgumentException} naming the config key and value). The coordinator checks the run's
 * configuration with its sharding mode; a worker checks the method when it builds its replica (it
 * learns the mode only from its tasks).
 *
 * <p>Trained: relational reasoning with any head ({@code mlp}, {@code dot}, {@code encoder-dot}) in
 * both sharding modes, and the supervised, SimCLR and RotationNet baselines in {@code images}
 * sharding: each worker builds the method's {@code PretrainModel} ({@code Methods.build}) and
 * computes the gradient of its shard's mean loss, and the coordinator weights each shard by the
 * method's count of loss terms ({@code PretrainModel.lossTerms}). {@code views} sharding exists
 * only for relational reasoning: it spreads the views of the relation pairs and runs the relation
 * head on the coordinator, which has no counterpart in the baselines' objectives.
 *
 * <p>Refused:
 *
 * <ul>
 *   <li>{@code deepcluster}. Before every epoch it clusters the whole training set with the current
 *       backbone, and during the epoch its loss is a class-weighted mean whose weights (inverse
 *       cluster frequencies) depend on the whole assignment. Reproducing the single-process run
 *       exactly needs: the coordinator to cluster with its master parameters at each epoch boundary
 *       (and again after a resume) and re-initialise the head and its optimizer state; every shard
 *       task to carry its images' pseudo-labels and the k class weights (the v1 {@code ShardTask}
 *       has a field for labels but none for the weights; the alternative, workers fetching the
 *       assignment by version like parameters, is a new message); and shard weights equal to the
 *       sum of the shard's class weights rather than its image count, because the loss is
 *       normalised by that sum. Workers clustering for themselves is no way out: only a worker
 *       holding the epoch's first parameters gets the same clusters, which a worker that joins or
 *       takes over a shard mid-epoch does not, and each of them would repeat a clustering that
 *       takes minutes on Fashion-MNIST. Not built yet; train DeepCluster in one process.
 *   <li>{@code random} (nothing to train) and {@code infomax} (not implemented anywhere).
 *   <li>{@code label-fraction} &gt; 0 (semi-supervised pair targets are not sent to workers yet).
 * </ul>
 */
public final class ParameterServerSupport {
  private ParameterServerSupport() {}

  /**
   * Refuses a run the parameter server cannot train exactly as one process would.
   *
   * @param config the run
   * @param mode the coordinator's sharding mode
   * @throws IllegalArgumentException naming the config key and value
   */
  public static void check(TrainConfig config, ShardingMode mode) {
    checkMethod(config);
    if (mode == ShardingMode.VIEWS && config.method() != MethodKind.RELATIONAL) {
      throw new IllegalArgumentException(
          "config key 'sharding': value 'views' splits the views of relational reasoning's pairs"
              + " and is not supported with config key 'method' value '"
              + config.method().id()
              + "' (use sharding 'images': --sharding images, or the coordinator's --mode images)");
    }
  }

  /**
   * The checks that do not depend on the sharding mode (a worker's, at start).
   *
   * @throws IllegalArgumentException naming the config key and value
   */
  public static void checkMethod(TrainConfig config) {
    if (config.labelFraction() > 0) {
      throw new IllegalArgumentException(
          "config key 'label-fraction': the distributed trainer does not support semi-supervised"
              + " targets yet (use the single-process trainer)");
    }
    String why =
        switch (config.method()) {
          case RELATIONAL, SUPERVISED, SIMCLR, ROTATION -> null;
          case DEEPCLUSTER ->
              "DeepCluster re-clusters the training set every epoch and weights its loss by the"
                  + " whole assignment, which the workers are not sent";
          case RANDOM -> "it means no pre-training, there is nothing to train";
          case INFOMAX -> "Deep InfoMax is not implemented yet";
        };
    if (why != null) {
      throw new IllegalArgumentException(
          "config key 'method': value '"
              + config.method().id()
              + "' is not supported by the parameter server: "
              + why
              + " (use the single-process trainer: --workers 0)");
    }
  }
}

package org.relreason.shard;

import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.protocol.v1.ShardingMode;

/**
 * Which configurations the parameter server trains, and the refusal of the others (an {@link
 * IllegalArgumentException} naming the config key and value). The coordinator checks the run's
 * configuration with its sharding mode; a worker checks the method when it builds its replica (it
 * learns the mode only from its tasks).
 *
 * <p>Trained: relational reasoning with any head ({@code mlp}, {@code dot}, {@code encoder-dot}) in
 * both sharding modes, and the supervised, SimCLR, RotationNet and DeepCluster baselines in {@code
 * images} sharding: each worker builds the method's {@code PretrainModel} ({@code Methods.build})
 * and computes the gradient of its shard's mean loss, and the coordinator weights each shard by the
 * method's count of loss terms ({@code PretrainModel.lossTerms}). DeepCluster's clustering runs on
 * the coordinator, with the master parameters, where the single process runs it (before the first
 * step of every epoch and after a resume); each task carries its images' pseudo-labels and the
 * class weights of the whole assignment. {@code views} sharding exists only for relational
 * reasoning: it spreads the views of the relation pairs and runs the relation head on the
 * coordinator, which has no counterpart in the baselines' objectives.
 *
 * <p>Refused: {@code random} (nothing to train), {@code infomax} (not implemented anywhere) and
 * {@code label-fraction} &gt; 0 (semi-supervised pair targets are not sent to workers yet).
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
          case RELATIONAL, SUPERVISED, SIMCLR, ROTATION, DEEPCLUSTER -> null;
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

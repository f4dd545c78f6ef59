package org.relreason.model.eval;

import java.util.Objects;
import org.relreason.model.config.ProbeKind;
import org.relreason.model.features.FeatureSet;

/**
 * The one entry point of the probes on frozen features ({@link ProbeKind}): {@code adam} is the
 * paper's linear evaluation ({@link LinearEvaluator}, numbers unchanged), {@code lbfgs} the study
 * of Kolesnikov et al. 2019 ({@link LbfgsProbe}), {@code sgd} ({@link SgdProbe}) and {@code mlp}
 * ({@link MlpProbe}) the probes that study compared it with. Every probe is seeded by {@code
 * config.seed()} and reads nothing of {@code test} but its features and labels for the final score.
 */
public final class Probes {
  private Probes() {}

  /** Trains {@code kind} on {@code train} and scores it on {@code test}. */
  public static LinearResult evaluate(
      ProbeKind kind, LinearConfig config, FeatureSet train, FeatureSet test) {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(train, "train");
    Objects.requireNonNull(test, "test");
    train.requireCompatible(test, kind.id() + " probe");
    return switch (kind) {
      case ADAM -> new LinearEvaluator(config).evaluate(train, test);
      case LBFGS -> new LbfgsProbe(config.seed()).evaluate(train, test);
      case SGD -> new SgdProbe(config).evaluate(train, test);
      case MLP -> new MlpProbe(config).evaluate(train, test);
    };
  }
}

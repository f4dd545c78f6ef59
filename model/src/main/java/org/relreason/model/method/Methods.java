package org.relreason.model.method;

import org.nd4j.linalg.api.buffer.DataType;
import org.relreason.model.augment.AugmentationConfig;
import org.relreason.model.config.ConfigException;
import org.relreason.model.config.MethodKind;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.nn.Backbone;
import org.relreason.model.nn.BackboneSpec;
import org.relreason.model.nn.Backbones;
import org.relreason.model.nn.LocalFeatureBackbone;
import org.relreason.model.train.PretrainModel;
import org.relreason.model.train.RelationalModel;
import org.relreason.model.train.Seeds;

/** Builds the model of a configured method: the one place a {@link MethodKind} becomes a model. */
public final class Methods {
  /** DeepCluster's k per class of the dataset (the paper: k = 10 × classes). */
  public static final int CLUSTERS_PER_CLASS = 10;

  private Methods() {}

  /**
   * The model a configuration pre-trains, for images like {@code train}'s, initialised from the
   * config's seed: every method starts from the same backbone weights as relational reasoning (so
   * the random-weights baseline is where each of them started). {@code random} has the relational
   * model's layout; it is never trained.
   */
  public static PretrainModel build(TrainConfig config, ImageSet train) {
    MethodKind method = config.method();
    if (method == MethodKind.RELATIONAL || method == MethodKind.RANDOM) {
      return RelationalModel.fromConfig(config, train.channels(), train.height(), train.width());
    }
    long seed = RelationalModel.initSeed(config);
    BackboneSpec spec =
        new BackboneSpec(
            config.backbone(), config.width(), train.channels(), train.height(), train.width());
    Backbone backbone =
        Backbones.buildFast(spec, config.representationSize(), seed, DataType.FLOAT);
    // the head's seed as the relation head's (seed + 1), mixed by method so heads differ
    long headSeed = Seeds.mix(seed + 1, method.ordinal());
    return switch (method) {
      case SUPERVISED ->
          new SupervisedModel(backbone, classes(config, train), headSeed, DataType.FLOAT);
      case SIMCLR -> new SimClrModel(backbone, NtXent.PAPER_TEMPERATURE, headSeed, DataType.FLOAT);
      case ROTATION -> new RotationModel(backbone, headSeed, DataType.FLOAT);
      case DEEPCLUSTER ->
          new DeepClusterModel(
              backbone, CLUSTERS_PER_CLASS * classes(config, train), headSeed, DataType.FLOAT);
      case INFOMAX ->
          new InfoMaxModel(
              localFeatures(config, backbone),
              config.infomaxLocalBlock(),
              config.infomaxPrior(),
              headSeed,
              DataType.FLOAT);
      default -> throw new IllegalStateException("unhandled method " + method);
    };
  }

  /**
   * The views per image a step of the configured method builds ({@link
   * PretrainModel#viewsPerImage()} of the model {@link #build} returns), without building it: what
   * the metrics count as views processed. {@code MethodsTest} checks it against every built model.
   */
  public static int viewsPerImage(TrainConfig config) {
    return switch (config.method()) {
      case RELATIONAL, RANDOM -> config.k();
      case SIMCLR -> 2;
      case SUPERVISED, ROTATION, DEEPCLUSTER, INFOMAX -> 1;
    };
  }

  /** The backbone as one with a local feature map, which Deep InfoMax's local objective reads. */
  private static LocalFeatureBackbone localFeatures(TrainConfig config, Backbone backbone) {
    if (backbone instanceof LocalFeatureBackbone local) {
      if (config.infomaxLocalBlock() > local.localBlocks()) {
        throw new ConfigException(
            "config key 'infomax-local-block': backbone '"
                + config.backbone().id()
                + "' has local maps 1.."
                + local.localBlocks()
                + ", not "
                + config.infomaxLocalBlock());
      }
      return local;
    }
    throw new ConfigException(
        "config keys 'method' and 'backbone': method '"
            + config.method().id()
            + "' needs the backbone's local feature map, which backbone '"
            + config.backbone().id()
            + "' does not expose (supported: conv4"
            + (config.representationSize() > 0 ? ", without representation-size" : "")
            + ")");
  }

  private static int classes(TrainConfig config, ImageSet train) {
    if (!train.labeled() || train.numClasses() < 2) {
      throw new ConfigException(
          "config key 'method': value '"
              + config.method().id()
              + "' needs the number of classes of the dataset, and "
              + train.name()
              + " has no labels");
    }
    return train.numClasses();
  }

  /**
   * The baselines' "crop + flip": a random resized crop of 50–100% of the image and a horizontal
   * flip, without colour jitter or grayscale. The paper's supervised code pads by 4 and crops (a
   * translation); the augmenter here has no padded crop, and a mild resized crop keeps the same
   * spirit (mostly the whole object, shifted and rescaled).
   */
  public static AugmentationConfig cropAndFlip(AugmentationConfig paper) {
    return paper
        .withCrop(new AugmentationConfig.Range(0.5, 1), paper.ratio())
        .withJitter(0, paper.brightness(), paper.contrast(), paper.saturation(), paper.hue())
        .withGrayscaleProbability(0);
  }
}

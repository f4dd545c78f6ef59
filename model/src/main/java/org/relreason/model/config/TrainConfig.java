package org.relreason.model.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.relreason.model.nn.Aggregation;
import org.relreason.model.nn.BackboneKind;
import org.relreason.model.nn.HeadKind;
import org.relreason.model.nn.LossKind;

/**
 * The configuration of a run, read once from a JSON file and/or flags into an immutable, validated
 * record. Every key, its default and its description are in {@link #KEYS}; the same names are the
 * JSON keys and the command-line flags. Unknown keys and out-of-range values are rejected when the
 * configuration is built, with a message that names the key.
 *
 * @param dataset dataset name (see {@code Datasets})
 * @param dataDir directory holding the dataset's official files
 * @param backbone backbone architecture
 * @param width backbone width multiplier
 * @param representationSize size of the linear layer after the backbone's pooling (0 = none)
 * @param k augmented views per image (K)
 * @param m images per minibatch (M)
 * @param epochs pre-training epochs
 * @param maxSteps stop after this many steps in total (0 = no limit)
 * @param trainLimit use only the first N training images (0 = all)
 * @param aggregation how pairs are joined
 * @param loss loss on the relation logits
 * @param focalGamma focal loss γ
 * @param focalAlpha focal loss α
 * @param learningRate Adam learning rate
 * @param seed the one seed every random choice of the run derives from
 * @param labelFraction fraction of training images whose labels the semi-supervised option uses
 * @param augmentThreads threads that build augmented views
 * @param linearEpochs epochs of the linear evaluation
 * @param evalTrainLimit training images used by the evaluation (0 = all)
 * @param evalTestLimit test images used by the evaluation (0 = all)
 * @param knnK neighbours of the kNN monitor
 * @param withRandomBaseline also evaluate the randomly initialised backbone
 * @param checkpointDir directory for checkpoints ("" = none)
 * @param checkpointEvery checkpoint every N steps (0 = at the end of each epoch)
 * @param resultFile where to write the JSON result ("" = nowhere)
 * @param workers 0 = pre-train in this process; N &gt; 0 = the embedded parameter server with N
 *     worker verticles
 * @param sharding how the parameter server splits a minibatch: "images" or "views"
 * @param method the pre-training method (relational reasoning or a baseline)
 * @param head what scores a pair in relational reasoning (the paper's MLP or an ablation)
 * @param lrSchedule what follows the warm-up: the base rate (the paper's) or a cosine decay to zero
 * @param warmupSteps steps of linear learning-rate warm-up (0 = none)
 * @param weightDecay decoupled weight decay λ of AdamW (0 = plain Adam, the paper's)
 * @param gradClip maximum global L2 norm of the gradient (0 = no clipping, the paper's)
 * @param probes the classifiers of the evaluation on frozen features, each on the same features;
 *     the first gives the reported linear top-1 (adam = the paper's linear evaluation)
 * @param probeLayers "last" (the backbone's features) or "all" (also each block's pooled output)
 * @param probeEvery run the online kNN probe every N steps (0 = never)
 * @param probeImages labelled training and test images of the online probe
 * @param infomaxLocalBlock which of the backbone's local maps Deep InfoMax's local term reads
 * @param infomaxPrior how Deep InfoMax's prior term trains the encoder
 */
public record TrainConfig(
    String dataset,
    String dataDir,
    BackboneKind backbone,
    double width,
    int representationSize,
    int k,
    int m,
    int epochs,
    long maxSteps,
    int trainLimit,
    Aggregation aggregation,
    LossKind loss,
    double focalGamma,
    double focalAlpha,
    double learningRate,
    long seed,
    double labelFraction,
    int augmentThreads,
    int linearEpochs,
    int evalTrainLimit,
    int evalTestLimit,
    int knnK,
    boolean withRandomBaseline,
    String checkpointDir,
    long checkpointEvery,
    String resultFile,
    int workers,
    String sharding,
    MethodKind method,
    HeadKind head,
    LearningRateSchedule.Kind lrSchedule,
    long warmupSteps,
    double weightDecay,
    double gradClip,
    List<ProbeKind> probes,
    String probeLayers,
    long probeEvery,
    int probeImages,
    int infomaxLocalBlock,
    InfoMaxPrior infomaxPrior) {

  /** Every key, with its default and description: the one place defaults live. */
  public static final List<ConfigKey> KEYS =
      List.of(
          new ConfigKey(
              "dataset",
              "fashion-mnist",
              "dataset: fashion-mnist, mnist, cifar10, cifar100, cifar100-20, stl10, tiny-imagenet",
              ConfigKey.text()),
          new ConfigKey(
              "data-dir",
              "",
              "directory with the dataset's official files (default: /usr/share/datasets/fashion-mnist for fashion-mnist, else ./data)",
              ConfigKey.text()),
          new ConfigKey(
              "method",
              "relational",
              "pre-training method: relational, supervised, simclr, rotation, deepcluster, infomax, random (no pre-training)",
              s -> MethodKind.parse(s)),
          new ConfigKey(
              "backbone",
              "conv4",
              "backbone: conv4, resnet8, resnet32, resnet56, resnet34",
              s -> BackboneKind.parse(s)),
          new ConfigKey(
              "width",
              "1",
              "backbone width multiplier (Kolesnikov et al. 2019)",
              ConfigKey.real(0.0625, 16)),
          new ConfigKey(
              "representation-size",
              "0",
              "size of an extra linear layer after the backbone's pooling, fixing the representation's size apart from the width (Kolesnikov et al. 2019); 0 = none",
              ConfigKey.integer(0, 1 << 16)),
          new ConfigKey(
              "k",
              "4",
              "augmented views per image (K >= 2) of relational reasoning (the baselines use their own)",
              ConfigKey.integer(2, 64)),
          new ConfigKey("m", "64", "images per minibatch (M >= 2)", ConfigKey.integer(2, 4096)),
          new ConfigKey("epochs", "1", "pre-training epochs", ConfigKey.integer(0, 100_000)),
          new ConfigKey(
              "max-steps",
              "0",
              "stop pre-training after this many steps in total (0 = no limit)",
              ConfigKey.integer(0, Long.MAX_VALUE)),
          new ConfigKey(
              "train-limit",
              "0",
              "pre-train on the first N training images only (0 = all)",
              ConfigKey.integer(0, Integer.MAX_VALUE)),
          new ConfigKey(
              "aggregation",
              "cat",
              "pair aggregation: cat, sum, mean, max",
              s -> Aggregation.parse(s)),
          new ConfigKey(
              "head",
              "mlp",
              "relation head: mlp (the paper's), dot (dot product of the features), encoder-dot (encoder, then dot product)",
              s -> HeadKind.parse(s)),
          new ConfigKey(
              "loss", "focal", "loss on relation logits: focal or bce", s -> LossKind.parse(s)),
          new ConfigKey("focal-gamma", "2", "focal loss gamma", ConfigKey.real(0, 10)),
          new ConfigKey(
              "focal-alpha",
              "0.5",
              "focal loss alpha (weight of positives)",
              ConfigKey.real(1e-6, 1 - 1e-6)),
          new ConfigKey(
              "lr",
              "0.001",
              "learning rate of Adam (the supervised baseline uses SGD at the paper's 0.1, infomax Adam at the paper's 1e-4 instead)",
              ConfigKey.real(1e-8, 1)),
          new ConfigKey(
              "seed",
              "1",
              "seed of every random choice (weights, minibatches, augmentation)",
              ConfigKey.integer(Long.MIN_VALUE, Long.MAX_VALUE)),
          new ConfigKey(
              "label-fraction",
              "0",
              "semi-supervised: fraction of training images whose labels make same-label pairs positive",
              ConfigKey.real(0, 1)),
          new ConfigKey(
              "augment-threads",
              "1",
              "threads that build augmented views (ND4J uses the other cores)",
              ConfigKey.integer(1, 256)),
          new ConfigKey(
              "linear-epochs",
              "100",
              "epochs of the linear evaluation (Adam 1e-3, batch 128)",
              ConfigKey.integer(0, 10_000)),
          new ConfigKey(
              "probe",
              "adam",
              "classifier(s) of the evaluation on frozen features, comma-separated, each on the same features (the first gives the linear top-1): adam (the paper's linear evaluation), lbfgs (logistic regression, L2 chosen on a validation split of the training set; Kolesnikov et al. 2019), sgd (momentum, 5x the linear epochs), mlp (one hidden layer)",
              TrainConfig::probes),
          new ConfigKey(
              "probe-layers",
              "last",
              "last = probe the backbone's features; all = also probe each block's globally average-pooled output (Conv-4: 4 blocks, CIFAR ResNets: 3 stages)",
              s -> {
                if (!s.equals("last") && !s.equals("all")) {
                  throw new IllegalArgumentException("expected last or all");
                }
                return s;
              }),
          new ConfigKey(
              "eval-train-limit",
              "0",
              "training images used by the evaluation (0 = all)",
              ConfigKey.integer(0, Integer.MAX_VALUE)),
          new ConfigKey(
              "eval-test-limit",
              "0",
              "test images used by the evaluation (0 = all)",
              ConfigKey.integer(0, Integer.MAX_VALUE)),
          new ConfigKey(
              "knn-k", "200", "neighbours of the kNN monitor", ConfigKey.integer(1, 100_000)),
          new ConfigKey(
              "with-random-baseline",
              "false",
              "also evaluate the randomly initialised backbone",
              ConfigKey.bool()),
          new ConfigKey(
              "checkpoint-dir",
              "",
              "directory for checkpoints; a run resumes from the latest one there (\"\" = no checkpoints)",
              ConfigKey.text()),
          new ConfigKey(
              "checkpoint-every",
              "0",
              "checkpoint every N steps (0 = at the end of each epoch)",
              ConfigKey.integer(0, Long.MAX_VALUE)),
          new ConfigKey(
              "result-file",
              "",
              "write the result as JSON to this file (\"\" = do not)",
              ConfigKey.text()),
          new ConfigKey(
              "workers",
              "0",
              "0 = pre-train in this process; N > 0 = the embedded parameter server (one JVM) with N worker verticles",
              ConfigKey.integer(0, 1024)),
          new ConfigKey(
              "sharding",
              "images",
              "parameter-server sharding: images (whole images per worker, local pairs) or views (views spread, all pairs on the coordinator)",
              s -> {
                if (!s.equals("images") && !s.equals("views")) {
                  throw new IllegalArgumentException("expected images or views");
                }
                return s;
              }),
          new ConfigKey(
              "lr-schedule",
              "constant",
              "learning rate after the warm-up: constant (the paper's) or cosine (decays to 0 at the last step); Adam methods only",
              s -> LearningRateSchedule.Kind.parse(s)),
          new ConfigKey(
              "warmup-steps",
              "0",
              "steps of linear learning-rate warm-up from lr/N to lr (0 = none; at most the run's steps); Adam methods only",
              ConfigKey.integer(0, Long.MAX_VALUE)),
          new ConfigKey(
              "weight-decay",
              "0",
              "decoupled weight decay of AdamW, p -= lr * wd * p each step (0 = plain Adam, the paper's); Adam methods only",
              ConfigKey.real(0, 10)),
          new ConfigKey(
              "grad-clip",
              "0",
              "clip the gradient to this global L2 norm before the optimizer step (0 = no clipping, the paper's)",
              ConfigKey.real(0, 1e9)),
          new ConfigKey(
              "probe-every",
              "0",
              "online probe: the kNN monitor of the current backbone on a labelled subset every N steps, a curve in the result and on the dashboard (0 = off)",
              ConfigKey.integer(0, Long.MAX_VALUE)),
          new ConfigKey(
              "probe-images",
              "1000",
              "online probe: the first N training images (gallery) and the first N test images (queries)",
              ConfigKey.integer(1, Integer.MAX_VALUE)),
          new ConfigKey(
              "infomax-local-block",
              "1",
              "infomax: the block whose ReLU output (before pooling) is the local map, 1-4 for conv4 (1 = the paper's code, 3x3 patches; 3 = 8x8 on 32x32 images, DIM's mid-level map)",
              ConfigKey.integer(1, 4)),
          new ConfigKey(
              "infomax-prior",
              "adversarial",
              "infomax: how the prior term (gamma 0.1) trains the encoder: adversarial (DIM's eq. 7: gradient reversal, features pushed towards the uniform prior; the default, as the paper's code's joint mode leaves the baseline below random weights), joint (the paper's code: minimised with the discriminator), none (gamma = 0)",
              s -> InfoMaxPrior.parse(s)));

  private static final Map<String, ConfigKey> BY_NAME =
      KEYS.stream()
          .collect(Collectors.toMap(ConfigKey::name, k -> k, (a, b) -> a, LinkedHashMap::new));

  /** The defaults. */
  public static TrainConfig defaults() {
    return of(Map.of());
  }

  /** A configuration from key/value texts over the defaults; unknown keys are rejected. */
  public static TrainConfig of(Map<String, String> values) {
    Map<String, Object> v = new LinkedHashMap<>();
    for (ConfigKey key : KEYS) {
      v.put(key.name(), key.parse(key.defaultValue()));
    }
    for (Map.Entry<String, String> e : values.entrySet()) {
      ConfigKey key = BY_NAME.get(e.getKey());
      if (key == null) {
        throw new ConfigException(
            "unknown config key '"
                + e.getKey()
                + "' (known keys: "
                + String.join(", ", BY_NAME.keySet())
                + ")");
      }
      v.put(key.name(), key.parse(e.getValue()));
    }
    String dataset = (String) v.get("dataset");
    String dataDir = (String) v.get("data-dir");
    if (dataDir.isEmpty()) {
      dataDir = dataset.equals("fashion-mnist") ? "/usr/share/datasets/fashion-mnist" : "data";
    }
    MethodKind method = (MethodKind) v.get("method");
    if (method == MethodKind.SUPERVISED) {
      // its optimizer is the paper's SGD with its own step schedule, not Adam
      for (String key : List.of("lr-schedule", "warmup-steps", "weight-decay")) {
        if (!v.get(key).equals(BY_NAME.get(key).parse(BY_NAME.get(key).defaultValue()))) {
          throw new ConfigException(
              "config key '"
                  + key
                  + "': applies to the Adam methods; method 'supervised' trains with the paper's"
                  + " SGD schedule");
        }
      }
    }
    if (method != MethodKind.INFOMAX) {
      // the Deep InfoMax keys change nothing elsewhere: a value there is a mistake
      for (String key : List.of("infomax-local-block", "infomax-prior")) {
        if (!v.get(key).equals(BY_NAME.get(key).parse(BY_NAME.get(key).defaultValue()))) {
          throw new ConfigException(
              "config key '"
                  + key
                  + "': applies to method 'infomax' only, not '"
                  + method.id()
                  + "'");
        }
      }
    }
    return new TrainConfig(
        dataset,
        dataDir,
        (BackboneKind) v.get("backbone"),
        (Double) v.get("width"),
        intOf(v, "representation-size"),
        intOf(v, "k"),
        intOf(v, "m"),
        intOf(v, "epochs"),
        (Long) v.get("max-steps"),
        intOf(v, "train-limit"),
        (Aggregation) v.get("aggregation"),
        (LossKind) v.get("loss"),
        (Double) v.get("focal-gamma"),
        (Double) v.get("focal-alpha"),
        (Double) v.get("lr"),
        (Long) v.get("seed"),
        (Double) v.get("label-fraction"),
        intOf(v, "augment-threads"),
        intOf(v, "linear-epochs"),
        intOf(v, "eval-train-limit"),
        intOf(v, "eval-test-limit"),
        intOf(v, "knn-k"),
        (Boolean) v.get("with-random-baseline"),
        (String) v.get("checkpoint-dir"),
        (Long) v.get("checkpoint-every"),
        (String) v.get("result-file"),
        intOf(v, "workers"),
        (String) v.get("sharding"),
        method,
        (HeadKind) v.get("head"),
        (LearningRateSchedule.Kind) v.get("lr-schedule"),
        (Long) v.get("warmup-steps"),
        (Double) v.get("weight-decay"),
        (Double) v.get("grad-clip"),
        probeList(v.get("probe")),
        (String) v.get("probe-layers"),
        (Long) v.get("probe-every"),
        intOf(v, "probe-images"),
        intOf(v, "infomax-local-block"),
        (InfoMaxPrior) v.get("infomax-prior"));
  }

  /** The first probe: the one whose test top-1 is the run's linear top-1. */
  public ProbeKind probe() {
    return probes.get(0);
  }

  /** Parses a comma-separated list of probes, none twice. */
  private static List<ProbeKind> probes(String text) {
    List<ProbeKind> out = new java.util.ArrayList<>();
    for (String part : text.split(",", -1)) {
      ProbeKind p = ProbeKind.parse(part);
      if (out.contains(p)) {
        throw new IllegalArgumentException("probe '" + p.id() + "' is listed twice");
      }
      out.add(p);
    }
    return List.copyOf(out);
  }

  @SuppressWarnings("unchecked")
  private static List<ProbeKind> probeList(Object parsed) {
    return (List<ProbeKind>) parsed;
  }

  private static int intOf(Map<String, Object> v, String key) {
    return Math.toIntExact((Long) v.get(key));
  }

  /**
   * Reads a flat JSON object of key/value pairs (values may be strings, numbers or booleans); an
   * error names the file and the key.
   */
  public static Map<String, String> readFile(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new ConfigException("config file " + file + " does not exist");
    }
    JsonNode root;
    try {
      root = new ObjectMapper().readTree(file.toFile());
    } catch (IOException e) {
      throw new ConfigException("config file " + file + " is not valid JSON: " + e.getMessage(), e);
    }
    if (root == null || !root.isObject()) {
      throw new ConfigException(
          "config file " + file + " must hold a JSON object of key/value pairs");
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (!e.getValue().isValueNode() || e.getValue().isNull()) {
        throw new ConfigException(
            "config file "
                + file
                + ": key '"
                + e.getKey()
                + "' must have a string, number or boolean value");
      }
      out.put(e.getKey(), e.getValue().asText());
    }
    return out;
  }

  /** The configuration as key/value texts (for checkpoints, results and the dashboard). */
  public Map<String, String> asMap() {
    Map<String, String> m = new TreeMap<>();
    m.put("dataset", dataset);
    m.put("data-dir", dataDir);
    m.put("backbone", backbone.id());
    m.put("width", Double.toString(width));
    m.put("representation-size", Integer.toString(representationSize));
    m.put("k", Integer.toString(k));
    m.put("m", Integer.toString(this.m));
    m.put("epochs", Integer.toString(epochs));
    m.put("max-steps", Long.toString(maxSteps));
    m.put("train-limit", Integer.toString(trainLimit));
    m.put("aggregation", aggregation.id());
    m.put("loss", loss.id());
    m.put("focal-gamma", Double.toString(focalGamma));
    m.put("focal-alpha", Double.toString(focalAlpha));
    m.put("lr", Double.toString(learningRate));
    m.put("seed", Long.toString(seed));
    m.put("label-fraction", Double.toString(labelFraction));
    m.put("augment-threads", Integer.toString(augmentThreads));
    m.put("linear-epochs", Integer.toString(linearEpochs));
    m.put("eval-train-limit", Integer.toString(evalTrainLimit));
    m.put("eval-test-limit", Integer.toString(evalTestLimit));
    m.put("knn-k", Integer.toString(knnK));
    m.put("with-random-baseline", Boolean.toString(withRandomBaseline));
    m.put("checkpoint-dir", checkpointDir);
    m.put("checkpoint-every", Long.toString(checkpointEvery));
    m.put("result-file", resultFile);
    m.put("workers", Integer.toString(workers));
    m.put("sharding", sharding);
    m.put("method", method.id());
    m.put("head", head.id());
    m.put("lr-schedule", lrSchedule.id());
    m.put("warmup-steps", Long.toString(warmupSteps));
    m.put("weight-decay", Double.toString(weightDecay));
    m.put("grad-clip", Double.toString(gradClip));
    m.put("probe", probes.stream().map(ProbeKind::id).collect(Collectors.joining(",")));
    m.put("probe-layers", probeLayers);
    m.put("probe-every", Long.toString(probeEvery));
    m.put("probe-images", Integer.toString(probeImages));
    m.put("infomax-local-block", Integer.toString(infomaxLocalBlock));
    m.put("infomax-prior", infomaxPrior.id());
    return m;
  }

  /**
   * The keys that change what is computed (not where files go or how many threads build views): two
   * runs with the same model-defining keys and seed train the same parameters.
   */
  public Map<String, String> modelDefiningKeys() {
    Map<String, String> m = asMap();
    for (String k :
        List.of(
            "data-dir",
            "augment-threads",
            "checkpoint-dir",
            "checkpoint-every",
            "result-file",
            "epochs",
            "max-steps",
            "linear-epochs",
            "probe",
            "probe-layers",
            "probe-every",
            "probe-images",
            "eval-train-limit",
            "eval-test-limit",
            "knn-k",
            "with-random-baseline",
            "workers",
            "sharding")) {
      m.remove(k);
    }
    return m;
  }
}

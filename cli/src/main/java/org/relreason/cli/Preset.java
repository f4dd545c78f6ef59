package org.relreason.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A named setting of the paper (Patacchiola &amp; Storkey, NeurIPS 2020): config keys and values
 * that {@code train --preset NAME} starts from. The one place presets are defined ({@link #ALL}); a
 * config file and explicit flags override any key of a preset.
 *
 * <p>Every paper preset takes Section 4's "Implementation" settings (M = 64, Adam 1e-3, focal loss
 * with γ = 2 and α = 0.5, the MLP relation head with concatenation, linear evaluation for 100
 * epochs) and the K, epochs, dataset and backbone of the result it names.
 *
 * @param name the name given to {@code --preset}
 * @param source where the setting is stated (the paper's table, figure or section)
 * @param note one line on what the preset runs and where it departs from the paper
 * @param values the config keys it sets, in {@code TrainConfig.KEYS}' spelling
 */
record Preset(String name, String source, String note, Map<String, String> values) {

  /** Section 4's settings, shared by every paper preset. */
  private static final Map<String, String> PAPER =
      ordered(
          "m",
          "64",
          "lr",
          "0.001",
          "loss",
          "focal",
          "focal-gamma",
          "2",
          "focal-alpha",
          "0.5",
          "head",
          "mlp",
          "aggregation",
          "cat",
          "method",
          "relational",
          "linear-epochs",
          "100");

  /** Every preset, in the order {@code relreason presets} lists them. */
  static final List<Preset> ALL =
      List.of(
          new Preset(
              "fashion-mnist",
              "relreason's quick start (README), not a setting of the paper",
              "Conv-4, K=4 (the authors' notebook), one epoch: the defaults of train",
              ordered("dataset", "fashion-mnist", "backbone", "conv4", "k", "4", "epochs", "1")),
          paper("cifar10-conv4", "cifar10", "conv4", 32, 200, "paper, Appendix B.1 (61.03%)"),
          paper("cifar10-resnet8", "cifar10", "resnet8", 32, 200, "paper, Appendix B.5"),
          paper("cifar10-resnet32", "cifar10", "resnet32", 32, 200, "paper, Section 4 (≈75%)"),
          paper("cifar10-resnet56", "cifar10", "resnet56", 32, 200, "paper, Appendix B.5"),
          paper("cifar100-conv4", "cifar100", "conv4", 32, 200, "paper, Appendix B.5"),
          paper("cifar100-resnet8", "cifar100", "resnet8", 32, 200, "paper, Appendix B.5"),
          paper("cifar100-resnet32", "cifar100", "resnet32", 32, 200, "paper, Table 1 (46.17%)"),
          paper("cifar100-resnet56", "cifar100", "resnet56", 32, 200, "paper, Appendix B.5"),
          paper(
              "tiny-imagenet-resnet32",
              "tiny-imagenet",
              "resnet32",
              16,
              200,
              "paper, Table 1 and Section 4: K=16 (30.54%)"),
          new Preset(
              "stl10-resnet34",
              "paper, Table 1 and Section 4: K=25, 300 epochs (fine-tune 89.67%)",
              "pre-trains on STL-10's 5,000 labelled training images: relreason has no"
                  + " pre-training split for the paper's 100,000 unlabelled ones yet",
              with(PAPER, "dataset", "stl10", "backbone", "resnet34", "k", "25", "epochs", "300")));

  /** The preset of that name; the error lists every name. */
  static Preset named(String name) {
    return ALL.stream()
        .filter(p -> p.name.equals(name))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "unknown preset '"
                        + name
                        + "' (known presets: "
                        + ALL.stream().map(Preset::name).collect(Collectors.joining(", "))
                        + "; relreason presets lists them)"));
  }

  /** A key's value, or the given default when the preset leaves the key alone. */
  String get(String key, String orElse) {
    return values.getOrDefault(key, orElse);
  }

  private static Preset paper(
      String name, String dataset, String backbone, int k, int epochs, String source) {
    return new Preset(
        name,
        source,
        backbone + " on " + dataset + ", K=" + k + ", M=64, " + epochs + " epochs",
        with(
            PAPER,
            "dataset",
            dataset,
            "backbone",
            backbone,
            "k",
            Integer.toString(k),
            "epochs",
            Integer.toString(epochs)));
  }

  private static Map<String, String> with(Map<String, String> base, String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>(ordered(keyValues));
    m.putAll(base);
    return java.util.Collections.unmodifiableMap(m);
  }

  private static Map<String, String> ordered(String... keyValues) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1]);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}

package org.relreason.model.eval;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Human-readable class names for the pictures' legends, for the datasets whose official
 * documentation lists them; other datasets get {@code "class i"}.
 */
public final class ClassNames {
  private static final Map<String, List<String>> NAMES =
      Map.of(
          // Xiao et al. 2017, the Fashion-MNIST README's label table
          "fashion-mnist",
          List.of(
              "T-shirt/top",
              "Trouser",
              "Pullover",
              "Dress",
              "Coat",
              "Sandal",
              "Shirt",
              "Sneaker",
              "Bag",
              "Ankle boot"),
          "mnist",
          List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"),
          // batches.meta.txt of the CIFAR-10 binary version
          "cifar10",
          List.of(
              "airplane",
              "automobile",
              "bird",
              "cat",
              "deer",
              "dog",
              "frog",
              "horse",
              "ship",
              "truck"),
          // class_names.txt of the STL-10 binary version
          "stl10",
          List.of(
              "airplane", "bird", "car", "cat", "deer", "dog", "horse", "monkey", "ship", "truck"));

  private ClassNames() {}

  /** The names of a dataset's {@code numClasses} classes, or {@code "class i"} if unknown. */
  public static List<String> of(String dataset, int numClasses) {
    List<String> known = NAMES.get(dataset);
    if (known != null && known.size() == numClasses) {
      return known;
    }
    List<String> out = new ArrayList<>(numClasses);
    for (int c = 0; c < numClasses; c++) {
      out.add("class " + c);
    }
    return out;
  }
}

package org.relreason.model.benchmark;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.eval.LayerResult;
import org.relreason.model.eval.LinearResult;
import org.relreason.model.run.TrainResult;

/**
 * The protocols a grid may name: {@code linear} (read from the training run's own evaluation), and
 * {@code finetune}, {@code fractions}, {@code retrieval}, {@code embedding} from {@code eval
 * --protocol} ({@link EvalProtocolCell}). Adding one is one entry in {@link #ALL}.
 */
public final class GridProtocols {
  /** Metric of the linear evaluation: top-1 on the test split. */
  public static final String LINEAR_TOP1 = "linear_top1";

  /** Metric of the kNN monitor: top-1 on the test split. */
  public static final String KNN_TOP1 = "knn_top1";

  /**
   * The paper's linear evaluation and the kNN monitor: {@code train} computes both on every run, so
   * this protocol only reads them from the result.
   */
  public static final GridProtocol LINEAR =
      new GridProtocol() {
        @Override
        public String id() {
          return "linear";
        }

        @Override
        public Map<String, Double> evaluate(TrainConfig config, TrainResult r, Path cellDir) {
          Map<String, Double> m = new LinkedHashMap<>();
          if (r.linearTop1() != null) {
            m.put(LINEAR_TOP1, r.linearTop1());
          }
          if (r.knnTop1() != null) {
            m.put(KNN_TOP1, r.knnTop1());
          }
          if (r.probes() != null) {
            for (LinearResult p : r.probes()) {
              m.put(probeMetric(p.probe()), p.testTop1());
            }
          }
          if (r.layers() != null) {
            for (LayerResult l : r.layers()) {
              m.put(layerMetric(l.result().probe(), l.layer()), l.result().testTop1());
            }
          }
          return m;
        }
      };

  /** Metric of one probe on the backbone's features: {@code <probe>_top1}. */
  public static String probeMetric(String probe) {
    return probe + "_top1";
  }

  /** Metric of one probe on block {@code layer} (1 = first): {@code <probe>_layer<b>_top1}. */
  public static String layerMetric(String probe, int layer) {
    return probe + "_layer" + layer + "_top1";
  }

  private static final Map<String, GridProtocol> ALL = new LinkedHashMap<>();

  static {
    for (GridProtocol p : List.of(LINEAR)) {
      ALL.put(p.id(), p);
    }
    for (org.relreason.model.eval.Protocol p :
        List.of(
            org.relreason.model.eval.Protocol.FINETUNE,
            org.relreason.model.eval.Protocol.FRACTIONS,
            org.relreason.model.eval.Protocol.RETRIEVAL,
            org.relreason.model.eval.Protocol.EMBEDDING)) {
      ALL.put(p.id(), new EvalProtocolCell(p));
    }
  }

  private GridProtocols() {}

  /** The known protocol names, in a stable order. */
  public static List<String> names() {
    return List.copyOf(ALL.keySet());
  }

  /** The protocol of that name. */
  public static GridProtocol get(String id) {
    GridProtocol p = ALL.get(id);
    if (p == null) {
      throw new IllegalArgumentException(
          "unknown protocol '" + id + "' (known: " + String.join(", ", names()) + ")");
    }
    return p;
  }

  /** What a metric is called in tables. */
  public static String title(String metric) {
    return switch (metric) {
      case LINEAR_TOP1 -> "Linear evaluation, top-1 (%)";
      case KNN_TOP1 -> "kNN monitor (k = knn-k, cosine), top-1 (%)";
      case "lbfgs_top1" -> "L-BFGS logistic-regression probe, top-1 (%)";
      case "adam_top1" -> "Adam softmax probe (the paper's linear evaluation), top-1 (%)";
      case "sgd_top1" -> "SGD-momentum softmax probe, top-1 (%)";
      case "mlp_top1" -> "MLP probe, top-1 (%)";
      default -> metric + " (%)";
    };
  }
}

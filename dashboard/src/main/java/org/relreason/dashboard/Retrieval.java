package org.relreason.dashboard;

import java.util.ArrayList;
import java.util.List;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.eval.ImageRetrieval;
import org.relreason.model.features.FeatureExtractor;
import org.relreason.model.features.FeatureSet;
import org.relreason.model.method.Methods;
import org.relreason.model.train.PretrainModel;

/**
 * Image retrieval with the current backbone: the features of a gallery (the first images of the
 * evaluation split), and for a query image the gallery images whose features are nearest by cosine
 * similarity. Holds one model replica; not thread-safe (the dashboard calls it from one worker
 * thread).
 */
final class Retrieval {
  private final PretrainModel model;
  private final ImageSet gallery;
  private final FeatureExtractor extractor;

  /**
   * A neighbour.
   *
   * @param index gallery index
   * @param label its class
   * @param similarity cosine similarity to the query, in [-1, 1]
   */
  record Neighbour(int index, int label, double similarity) {}

  Retrieval(TrainConfig config, ImageSet gallery, Normalization norm) {
    if (gallery.size() == 0) {
      throw new IllegalArgumentException("retrieval gallery " + gallery.name() + " is empty");
    }
    // the configured method's model: the run's parameter vector has its layout (backbone + head)
    this.model = Methods.build(config, gallery);
    this.gallery = gallery;
    this.extractor = new FeatureExtractor(norm);
  }

  ImageSet gallery() {
    return gallery;
  }

  /** Features of the whole gallery under {@code params}, each row scaled to unit length. */
  float[][] features(float[] params) {
    if (params.length != model.numParams()) {
      throw new IllegalArgumentException(
          "parameter vector of " + params.length + " values, the model has " + model.numParams());
    }
    model.setParams(params);
    FeatureSet f = extractor.extract(model.backbone(), gallery);
    float[][] rows = new float[f.n()][f.d()];
    for (int i = 0; i < f.n(); i++) {
      double norm2 = 0;
      for (int j = 0; j < f.d(); j++) {
        float v = f.features()[i * f.d() + j];
        rows[i][j] = v;
        norm2 += (double) v * v;
      }
      float inv = norm2 > 0 ? (float) (1 / Math.sqrt(norm2)) : 0f;
      for (int j = 0; j < f.d(); j++) {
        rows[i][j] *= inv;
      }
    }
    return rows;
  }

  /**
   * The {@code k} gallery images nearest to gallery image {@code query}, nearest first; the query
   * itself is not among them (it is part of the gallery it searches).
   */
  List<Neighbour> neighbours(float[][] unit, int query, int k) {
    // the ranking is model/…/eval's, shared with the retrieval protocol
    int[] order = ImageRetrieval.rank(unit, query);
    List<Neighbour> all = new ArrayList<>(Math.min(k, order.length));
    for (int i = 0; i < Math.min(k, order.length); i++) {
      int j = order[i];
      double dot = 0;
      for (int c = 0; c < unit[j].length; c++) {
        dot += (double) unit[query][c] * unit[j][c];
      }
      all.add(new Neighbour(j, gallery.label(j), dot));
    }
    return all;
  }
}

package org.relreason.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.relreason.model.config.TrainConfig;
import org.relreason.model.data.ImageSet;
import org.relreason.model.data.Normalization;
import org.relreason.model.train.RelationalModel;
import org.relreason.observe.DashboardAccess;
import org.relreason.observe.ParamsSource;

/** Nearest neighbours by cosine similarity of the backbone's features, and their endpoint. */
class RetrievalTest {
  private static final TrainConfig CONFIG = TrainConfig.of(Map.of("width", "0.5"));

  /** 12 random 3×32×32 images; image 7 is a copy of image 2. */
  private static ImageSet images() {
    int n = 12;
    int per = 3 * 32 * 32;
    byte[] px = new byte[n * per];
    new Random(5).nextBytes(px);
    System.arraycopy(px, 2 * per, px, 7 * per, per);
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = i % 3;
    }
    return new ImageSet("toy", n, 3, 32, 32, px, labels, 3);
  }

  private static Normalization norm() {
    return new Normalization(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f});
  }

  private static float[] params(ImageSet set) {
    return RelationalModel.fromConfig(CONFIG, 3, 32, 32).paramsVector();
  }

  @Test
  void aBaselineRunsParametersAreRetrievedWithTheirOwnLayout() {
    ImageSet set = images();
    for (String method : new String[] {"supervised", "simclr", "rotation"}) {
      TrainConfig config = TrainConfig.of(Map.of("width", "0.5", "method", method));
      float[] params = org.relreason.model.method.Methods.build(config, set).paramsVector();
      Retrieval r = new Retrieval(config, set, norm());
      float[][] unit = r.features(params);
      assertThat(r.neighbours(unit, 2, 2).get(0).index()).as(method).isEqualTo(7);
    }
  }

  @Test
  void aQueryIsLeftOutOfItsNeighboursWhichComeInCosineOrder() {
    ImageSet set = images();
    Retrieval r = new Retrieval(CONFIG, set, norm());
    float[][] unit = r.features(params(set));
    for (int q = 0; q < set.size(); q++) {
      List<Retrieval.Neighbour> nb = r.neighbours(unit, q, set.size());
      // every other image once, the query never
      assertThat(nb).hasSize(set.size() - 1);
      assertThat(nb)
          .extracting(Retrieval.Neighbour::index)
          .doesNotContain(q)
          .doesNotHaveDuplicates();
      for (int i = 0; i < nb.size(); i++) {
        if (i > 0) {
          assertThat(nb.get(i).similarity()).isLessThanOrEqualTo(nb.get(i - 1).similarity());
        }
        double dot = 0;
        for (int j = 0; j < unit[q].length; j++) {
          dot += (double) unit[q][j] * unit[nb.get(i).index()][j];
        }
        assertThat(nb.get(i).similarity())
            .isCloseTo(dot, org.assertj.core.data.Offset.offset(1e-9));
      }
    }
    // image 7, a copy of image 2, is its nearest neighbour (at 1.000); then the others, below 1
    List<Retrieval.Neighbour> two = r.neighbours(unit, 2, 2);
    assertThat(two.get(0).index()).isEqualTo(7);
    assertThat(two.get(0).similarity()).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-5));
    assertThat(two.get(1).similarity()).isLessThan(0.9999);
    assertThat(r.neighbours(unit, 7, 1).get(0).index()).isEqualTo(2);
  }

  @Test
  void theEndpointAnswersPicturesOfTheQueryAndItsNeighbours() throws Exception {
    ImageSet set = images();
    float[] params = params(set);
    Vertx vertx = Vertx.vertx();
    try {
      DashboardVerticle v =
          new DashboardVerticle(
              DashboardAccess.ephemeral(),
              new DashboardState(Map.of(), "toy", "test"),
              new PrometheusRegistry(),
              () -> true,
              () -> params,
              () -> new Retrieval(CONFIG, set, norm()));
      vertx.deployVerticle(v).await();
      String base = "http://127.0.0.1:" + v.actualPort();
      var res = TinyRuns.get(base + "/api/retrieval?queries=3&k=4");
      assertThat(res.statusCode()).as(res.body()).isEqualTo(200);
      JsonArray queries = new JsonObject(res.body()).getJsonArray("queries");
      assertThat(queries).hasSize(3);
      for (int i = 0; i < 3; i++) {
        JsonObject q = queries.getJsonObject(i);
        assertThat(q.getInteger("index")).isEqualTo(i * set.size() / 3);
        JsonArray nb = q.getJsonArray("neighbours");
        assertThat(nb).hasSize(4);
        // the query is not its own neighbour (#0 -> #0 at 1.000 once was)
        for (int j = 0; j < nb.size(); j++) {
          assertThat(nb.getJsonObject(j).getInteger("index")).isNotEqualTo(q.getInteger("index"));
        }
        BufferedImage img = png(nb.getJsonObject(1).getString("image"));
        assertThat(img.getWidth()).isEqualTo(96);
        assertThat(img.getHeight()).isEqualTo(96);
        // the picture is the gallery image: its top-left pixel, scaled 3x
        int at = nb.getJsonObject(1).getInteger("index") * set.imageBytes();
        int r = set.pixels()[at] & 0xff;
        int g = set.pixels()[at + 1024] & 0xff;
        int b = set.pixels()[at + 2048] & 0xff;
        assertThat(img.getRGB(2, 2) & 0xffffff).isEqualTo((r << 16) | (g << 8) | b);
      }
      assertThat(TinyRuns.get(base + "/api/retrieval?k=0").statusCode()).isEqualTo(400);
      assertThat(TinyRuns.get(base + "/api/retrieval?k=x").body()).contains("'k'");
    } finally {
      vertx.close().await();
    }
  }

  @Test
  void withoutParametersTheEndpointSaysSo() throws Exception {
    Vertx vertx = Vertx.vertx();
    try {
      DashboardVerticle v =
          new DashboardVerticle(
              DashboardAccess.ephemeral(),
              new DashboardState(Map.of(), "toy", "test"),
              new PrometheusRegistry(),
              () -> false,
              ParamsSource.NONE,
              () -> new Retrieval(CONFIG, images(), norm()));
      vertx.deployVerticle(v).await();
      var res = TinyRuns.get("http://127.0.0.1:" + v.actualPort() + "/api/retrieval");
      assertThat(res.statusCode()).isEqualTo(503);
      assertThat(res.body()).contains("no parameters yet");
    } finally {
      vertx.close().await();
    }
  }

  private static BufferedImage png(String dataUrl) throws Exception {
    assertThat(dataUrl).startsWith("data:image/png;base64,");
    byte[] bytes = Base64.getDecoder().decode(dataUrl.substring("data:image/png;base64,".length()));
    return ImageIO.read(new ByteArrayInputStream(bytes));
  }
}

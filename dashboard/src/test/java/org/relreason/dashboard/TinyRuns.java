package org.relreason.dashboard;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.relreason.model.config.TrainConfig;

/** Small real runs on Fashion-MNIST and an HTTP client for the tests. */
final class TinyRuns {
  static final String FMNIST =
      System.getProperty("relreason.fashionMnistDir", "/usr/share/datasets/fashion-mnist");
  static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private TinyRuns() {}

  /** M=8, K=2, half-width Conv-4, 64 training images, tiny evaluation. */
  static TrainConfig config(int workers, int steps) {
    Map<String, String> v = new LinkedHashMap<>();
    v.put("data-dir", FMNIST);
    v.put("max-steps", Integer.toString(steps));
    v.put("epochs", "100"); // max-steps decides
    v.put("m", "8");
    v.put("k", "2");
    v.put("width", "0.5");
    v.put("train-limit", "64");
    v.put("eval-train-limit", "200");
    v.put("eval-test-limit", "100");
    v.put("linear-epochs", "3");
    v.put("knn-k", "10");
    v.put("workers", Integer.toString(workers));
    return TrainConfig.of(v);
  }

  static HttpResponse<String> get(String url, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}

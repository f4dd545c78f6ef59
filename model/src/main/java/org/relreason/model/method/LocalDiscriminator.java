package org.relreason.model.method;

import static org.nd4j.linalg.indexing.NDArrayIndex.all;
import static org.nd4j.linalg.indexing.NDArrayIndex.interval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastAddOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Deep InfoMax's local discriminator ("concat-and-convolve", DIM appendix A.2, as the
 * relational-reasoning paper's {@code LocalDiscriminator}): at every location of the local map, the
 * location's C values concatenated with the image's global feature y (D values) go through three
 * 1×1 convolutions, {@code (C + D) → H → H → 1} with ReLUs between, giving one score per (image,
 * location).
 *
 * <p>Matched pairs put image n's map beside its own y; mismatched pairs beside the y of the image
 * before it in the minibatch, which is the paper's pairing ({@code M_prime = roll(M, −1)}: y[n]
 * meets the map of image n + 1) read from the map's side. Each is scored at every location.
 *
 * <p>The first convolution is never applied to a concatenated input: its weight is {@code [W_M ;
 * W_y]} (map rows first, as the paper's {@code cat((M, y))}), so its output is {@code M W_M + (y
 * W_y + b)}, the map's part computed once for both kinds of pairs and the feature's part once per
 * image and broadcast over the locations. Not thread-safe.
 */
final class LocalDiscriminator {
  private final Dense first;
  private final Dense second;
  private final Dense third;
  private final int channels;
  private final int featureSize;

  // the last forward, kept for the backward
  private long[] mapShape;
  private INDArray mapRows;
  private INDArray y;
  private INDArray[] h1;
  private INDArray[] h2;
  private long n;
  private long locations;

  /** Scores of a forward: one per (image, location), image-major. */
  record Scores(double[] matched, double[] mismatched) {}

  /** Gradients on the discriminator's inputs. */
  record InputGradients(INDArray localMap, INDArray features) {}

  LocalDiscriminator(Dense first, Dense second, Dense third, int channels, int featureSize) {
    if (first.in != channels + featureSize || second.in != first.out || third.in != second.out) {
      throw new IllegalArgumentException("local discriminator layers do not chain");
    }
    if (third.out != 1) {
      throw new IllegalArgumentException("the local discriminator gives one score per location");
    }
    this.first = first;
    this.second = second;
    this.third = third;
    this.channels = channels;
    this.featureSize = featureSize;
  }

  /**
   * Scores of the local map {@code [N, H', W', C]} against the global features {@code [N, D]} of
   * the same N ≥ 2 images.
   */
  Scores forward(INDArray localMap, INDArray features) {
    release();
    n = localMap.size(0);
    if (n < 2 || localMap.rank() != 4 || localMap.size(3) != channels) {
      throw new IllegalArgumentException(
          "expected a local map [N >= 2, H, W, " + channels + "], got " + shape(localMap));
    }
    if (features.rank() != 2 || features.size(0) != n || features.size(1) != featureSize) {
      throw new IllegalArgumentException(
          "expected features [" + n + ", " + featureSize + "], got " + shape(features));
    }
    locations = localMap.size(1) * localMap.size(2);
    mapShape = localMap.shape();
    // a fresh C-order copy, so that the reshape is a view of it (release() closes the copy)
    mapRows = Nd4j.create(localMap.dataType(), n * locations, channels);
    mapRows.reshape('c', mapShape).assign(localMap);
    y = features;
    // products into arrays of our own: the result of INDArray.mmul is not freed by close() in
    // ND4J 1.0.0-M2.1 (measured: +67 MB resident per [R, 256] product), only by the collector
    INDArray fromMap = Nd4j.create(mapRows.dataType(), n * locations, first.out); // [R, H]
    Nd4j.gemm(mapRows, mapWeights(), fromMap, false, false, 1.0, 0.0);
    INDArray fromFeature = Nd4j.create(features.dataType(), n, first.out); // [N, H]
    Nd4j.gemm(features, featureWeights(), fromFeature, false, false, 1.0, 0.0);
    fromFeature.addiRowVector(first.bias());
    INDArray matched = fromMap.dup();
    addPerImage(matched, fromFeature);
    addPerImage(fromMap, rollDown(fromFeature)); // mismatched: y[n − 1] beside map n
    h1 = new INDArray[] {Dense.relu(matched), Dense.relu(fromMap)};
    h2 = new INDArray[2];
    double[][] scores = new double[2][];
    for (int s = 0; s < 2; s++) {
      h2[s] = Dense.relu(second.forward(h1[s]));
      INDArray t = third.forward(h2[s]);
      scores[s] = t.toDoubleVector();
      t.close();
    }
    return new Scores(scores[0], scores[1]);
  }

  /**
   * Back-propagates {@code dL/dscore} of the last forward's matched and mismatched pairs: adds to
   * the layers' gradients and returns the gradients on the map and on the features.
   */
  InputGradients backward(double[] dMatched, double[] dMismatched) {
    if (h1 == null) {
      throw new IllegalStateException("backward without a forward");
    }
    DataType dtype = mapRows.dataType();
    double[][] dScores = {dMatched, dMismatched};
    INDArray[] dPre1 = new INDArray[2];
    for (int s = 0; s < 2; s++) {
      INDArray dt = Nd4j.createFromArray(dScores[s]).castTo(dtype).reshape(n * locations, 1);
      third.accumulate(h2[s], dt);
      INDArray dPre2 = Dense.reluBackward(h2[s], third.inputGradient(dt));
      second.accumulate(h1[s], dPre2);
      dPre1[s] = Dense.reluBackward(h1[s], second.inputGradient(dPre2));
      dPre2.close();
    }
    // the feature's part: summed over each image's locations; mismatched rows of image n used
    // y[n − 1], so their sums go back up by one image
    INDArray perImage =
        sumOverLocations(dPre1[0]).addi(rollUp(sumOverLocations(dPre1[1]))); // [N, H]
    INDArray dFeatures = Nd4j.create(dtype, n, featureSize);
    Nd4j.gemm(perImage, featureWeights(), dFeatures, false, true, 1.0, 0.0);
    Nd4j.gemm(y, perImage, featureWeightGradient(), true, false, 1.0, 1.0);
    first.biasGradient().addi(perImage.sum(0).reshape(first.bias().shape()));
    // the map's part: both kinds of pairs read the same map rows
    INDArray dPre = dPre1[0].addi(dPre1[1]);
    dPre1[1].close();
    Nd4j.gemm(mapRows, dPre, mapWeightGradient(), true, false, 1.0, 1.0);
    INDArray dMap = Nd4j.create(dtype, n * locations, channels);
    Nd4j.gemm(dPre, mapWeights(), dMap, false, true, 1.0, 0.0);
    dPre.close();
    release();
    return new InputGradients(dMap.reshape('c', mapShape), dFeatures);
  }

  /** Frees the last forward's activations (tens of megabytes at M = 64 on 32×32 images). */
  void release() {
    if (h1 != null) {
      for (INDArray a : h1) {
        a.close();
      }
      for (INDArray a : h2) {
        if (a != null) {
          a.close();
        }
      }
      mapRows.close();
    }
    h1 = null;
    h2 = null;
    mapRows = null;
    y = null;
  }

  private INDArray mapWeights() {
    return first.weightRows(0, channels);
  }

  private INDArray featureWeights() {
    return first.weightRows(channels, channels + featureSize);
  }

  private INDArray mapWeightGradient() {
    return first.weightGradientRows(0, channels);
  }

  private INDArray featureWeightGradient() {
    return first.weightGradientRows(channels, channels + featureSize);
  }

  /** {@code rows [N·L, H] += perImage [N, H]} broadcast over each image's L rows. */
  private void addPerImage(INDArray rows, INDArray perImage) {
    INDArray r3 = rows.reshape('c', n, locations, rows.size(1));
    Nd4j.getExecutioner().exec(new BroadcastAddOp(r3, perImage, r3, 0, 2));
  }

  private INDArray sumOverLocations(INDArray rows) {
    return rows.reshape('c', n, locations, rows.size(1)).sum(1);
  }

  /** Row n of the result is row n − 1 of {@code a} (cyclic). */
  private static INDArray rollDown(INDArray a) {
    long n = a.size(0);
    return Nd4j.concat(0, a.get(interval(n - 1, n), all()), a.get(interval(0, n - 1), all()));
  }

  /** Row n of the result is row n + 1 of {@code a} (cyclic). */
  private static INDArray rollUp(INDArray a) {
    long n = a.size(0);
    return Nd4j.concat(0, a.get(interval(1, n), all()), a.get(interval(0, 1), all()));
  }

  private static String shape(INDArray a) {
    return java.util.Arrays.toString(a.shape());
  }
}

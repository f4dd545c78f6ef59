package org.relreason.coordinator;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.relreason.observe.StepTimes;

/**
 * One step in flight: its cursor (step, parameter version, epoch, the minibatch's images), the
 * shard plan, VIEWS mode's feature round, and per shard who tried, who computed the accepted
 * result, its norms and the outlier norms refused, with the times of the step's phases. Plain data,
 * no Vert.x; the verticle's event loop owns it.
 */
final class StepRound {
  final long step;
  final long version;
  final int epoch;
  final int[] images;
  final List<Shard> shards;
  final long[] progress;
  final FeatureRound features;
  // per shard: the workers whose attempt failed or was refused, and who computed the result
  final List<Set<String>> tried = new ArrayList<>();
  final String[] computedBy;
  // per shard: the norms of the result accepted, and the gradient norms refused as outliers
  final double[][] norms;
  final List<List<Double>> outlierNorms = new ArrayList<>();
  // the workers this step's parameters were pushed to (with their first task)
  final Set<String> pushedTo = new HashSet<>();
  final long started = System.nanoTime();
  long sent;
  long firstDone;
  long lastDone;

  StepRound(long step, long version, int epoch, int[] images, List<Shard> shards, FeatureRound f) {
    this.step = step;
    this.version = version;
    this.epoch = epoch;
    this.images = images;
    this.shards = shards;
    this.progress = new long[shards.size()];
    this.features = f;
    this.computedBy = new String[shards.size()];
    this.norms = new double[shards.size()][];
    shards.forEach(
        s -> {
          tried.add(new HashSet<>());
          outlierNorms.add(new ArrayList<>());
        });
  }

  /** The step's phase times; {@code blocking} holds aggregate, optimizer and broadcast seconds. */
  StepTimes times(double[] blocking) {
    long first = firstDone == 0 ? sent : firstDone;
    long last = Math.max(first, lastDone);
    return new StepTimes(
        (sent - started) / 1e9,
        (first - sent) / 1e9,
        (last - first) / 1e9,
        blocking[0],
        blocking[1],
        blocking[2],
        (System.nanoTime() - started) / 1e9);
  }
}

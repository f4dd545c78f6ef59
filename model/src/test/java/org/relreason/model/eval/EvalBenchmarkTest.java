package org.relreason.model.eval;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.relreason.model.features.FeatureSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Timings at CIFAR-10 scale (60,000 x 64 train features, 10,000 test, 10 classes), off by default:
 * {@code mvn -o -q -pl model test -Dtest=EvalBenchmarkTest -Drelreason.bench=true}.
 */
@EnabledIfSystemProperty(named = "relreason.bench", matches = "true")
class EvalBenchmarkTest {
  private static final Logger LOG = LoggerFactory.getLogger(EvalBenchmarkTest.class);
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  // Overlapping clusters (separation 3 in 64 dims), so neither evaluator is trivially at 100%.
  private static final FeatureSet TRAIN = Synthetic.clusters(60_000, 64, 10, 3.0, 1, 2);
  private static final FeatureSet TEST = Synthetic.clusters(10_000, 64, 10, 3.0, 1, 3);

  @Test
  void linearEvaluationOfCifarSizedFeatures() {
    long cpu = THREADS.getCurrentThreadCpuTime();
    LinearResult r = new LinearEvaluator().evaluate(TRAIN, TEST);
    cpu = THREADS.getCurrentThreadCpuTime() - cpu;

    // CPU time as well as wall time: on a shared machine the wall time says more about the others.
    LOG.info("linear eval 60000x64, 100 epochs: {}, thread CPU {} s", r, cpu / 1e9);
    assertThat(r.testTop1()).isGreaterThan(0.5);
  }

  @Test
  void knnOfCifarSizedFeatures() {
    long start = System.nanoTime();
    double top1 = new KnnMonitor().top1(TRAIN, TEST);
    double seconds = (System.nanoTime() - start) / 1e9;

    LOG.info("kNN k=200 10000 x 60000 x 64: top-1 {} in {} s", top1, seconds);
    assertThat(top1).isGreaterThan(0.5);
  }
}

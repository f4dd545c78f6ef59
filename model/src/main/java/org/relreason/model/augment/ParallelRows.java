package org.relreason.model.augment;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/**
 * A fixed pool that runs a task on rows {@code 0..n-1}, one contiguous chunk per thread. Views cost
 * about the same, so equal chunks balance without work stealing; which thread computes a row never
 * changes the row, so results do not depend on the thread count.
 */
final class ParallelRows implements AutoCloseable {
  private final int threads;
  private final ExecutorService pool;

  ParallelRows(int threads, String name) {
    this.threads = threads;
    AtomicInteger count = new AtomicInteger();
    this.pool =
        Executors.newFixedThreadPool(
            threads,
            r -> {
              Thread t = new Thread(r, name + "-" + count.incrementAndGet());
              t.setDaemon(true); // a forgotten close() must not keep the JVM alive
              return t;
            });
  }

  /** Runs {@code task} on every row and returns when all are done, rethrowing the first failure. */
  void forEach(int rows, IntConsumer task) {
    List<Callable<Void>> chunks = new ArrayList<>();
    int parts = Math.min(threads, rows);
    for (int t = 0; t < parts; t++) {
      int from = (int) ((long) rows * t / parts);
      int to = (int) ((long) rows * (t + 1) / parts);
      chunks.add(
          () -> {
            for (int r = from; r < to; r++) {
              task.accept(r);
            }
            return null;
          });
    }
    try {
      for (Future<Void> f : pool.invokeAll(chunks)) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for rows", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw new IllegalStateException("a row failed", e.getCause());
    }
  }

  /** Stops the pool; chunks already running finish. */
  @Override
  public void close() {
    pool.shutdown();
  }
}

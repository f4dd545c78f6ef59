package org.relreason.model.nn.fast;

import java.util.LinkedHashMap;
import java.util.function.LongFunction;

/**
 * The bound plans (activation buffers and ops) of the last two batch sizes a fast backbone has
 * seen, the least recently used evicted first: training and evaluation usually alternate between
 * two batch sizes, and binding a plan allocates every buffer, so keeping two avoids re-binding on
 * each switch. Shared by {@link FastConv4Backbone} and {@link FastResNet}, which had identical
 * copies. {@link #clear} after the parameters move, since the ops hold views of them. Not
 * thread-safe.
 *
 * @param <P> the backbone's plan type
 */
final class PlanCache<P> {
  private static final int CAPACITY = 2;
  private final LinkedHashMap<Long, P> plans = new LinkedHashMap<>();

  /** The plan for {@code n} images, made with {@code create} (after any eviction) if absent. */
  P get(long n, LongFunction<P> create) {
    P plan = plans.remove(n);
    if (plan == null) {
      if (plans.size() >= CAPACITY) {
        plans.remove(plans.keySet().iterator().next());
      }
      plan = create.apply(n);
    }
    plans.put(n, plan);
    return plan;
  }

  /** Drops every plan. */
  void clear() {
    plans.clear();
  }
}

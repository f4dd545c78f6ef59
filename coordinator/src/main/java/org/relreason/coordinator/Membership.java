package org.relreason.coordinator;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Who takes part in the run: the members (by id, with the time of their last heartbeat), the
 * workers that registered during a step and join at the next step boundary, and the cluster node of
 * each (to evict a crashed JVM's workers at once). Plain data, no Vert.x: the verticle calls it on
 * its event loop, and it answers which workers to evict or to give a shard; what to tell the
 * observer and the log stays with the caller.
 */
final class Membership {
  private final TreeMap<String, Long> members = new TreeMap<>();
  private final Set<String> joining = new HashSet<>();
  private final Map<String, String> nodeOf = new HashMap<>();

  /** Whether {@code id} is a member or is about to join: a second worker may not take it. */
  boolean taken(String id) {
    return members.containsKey(id) || joining.contains(id);
  }

  /**
   * Registers {@code id}: a member now before the first step, at the next step boundary once the
   * run is running ({@link #admitJoining}).
   *
   * @param node its cluster node, or null (the embedded mode)
   */
  void register(String id, String node, boolean running, long nowMillis) {
    if (running) {
      joining.add(id);
    } else {
      members.put(id, nowMillis);
    }
    if (node != null) {
      nodeOf.put(id, node);
    }
  }

  /** At a step boundary: the workers that registered during the last step become members. */
  void admitJoining(long nowMillis) {
    joining.forEach(id -> members.put(id, nowMillis));
    joining.clear();
  }

  /** Records a member's heartbeat; false if {@code id} is not a member. */
  boolean heartbeat(String id, long nowMillis) {
    return members.computeIfPresent(id, (k, v) -> nowMillis) != null;
  }

  /** Whether {@code id} registered and waits for the next step boundary. */
  boolean isJoining(String id) {
    return joining.contains(id);
  }

  /** Removes a member that missed a deadline; false if it was none. */
  boolean remove(String id) {
    return members.remove(id) != null;
  }

  /** Removes a member that said goodbye, and its node; false if it was none. */
  boolean disconnect(String id) {
    if (members.remove(id) == null) {
      return false;
    }
    nodeOf.remove(id);
    return true;
  }

  /** Removes and returns the members silent for longer than {@code timeoutMillis}, by silence. */
  Map<String, Long> evictSilent(long nowMillis, long timeoutMillis) {
    Map<String, Long> silent = new TreeMap<>();
    members
        .entrySet()
        .removeIf(
            e -> {
              boolean gone = nowMillis - e.getValue() > timeoutMillis;
              if (gone) {
                silent.put(e.getKey(), nowMillis - e.getValue());
              }
              return gone;
            });
    return silent;
  }

  /**
   * Forgets every worker of a cluster node that left and returns them all; adds to {@code
   * wereMembers} those that were members (whose loss counts as a death).
   */
  List<String> leftNode(String node, List<String> wereMembers) {
    List<String> gone =
        nodeOf.entrySet().stream()
            .filter(e -> e.getValue().equals(node))
            .map(Map.Entry::getKey)
            .sorted()
            .toList();
    for (String worker : gone) {
      nodeOf.remove(worker);
      joining.remove(worker);
      if (members.remove(worker) != null) {
        wereMembers.add(worker);
      }
    }
    return gone;
  }

  /** The members, by id. */
  List<String> live() {
    return new ArrayList<>(members.keySet());
  }

  /** How many members there are. */
  int size() {
    return members.size();
  }

  /** Members and workers waiting to join: what the registration cap counts. */
  int registered() {
    return members.size() + joining.size();
  }

  /** The cluster node {@code id} registered from, or null (embedded, or unknown). */
  String nodeOf(String id) {
    return nodeOf.get(id);
  }

  /** Members and joining workers, by id: everyone to tell that the run ended. */
  Set<String> everyone() {
    Set<String> all = new TreeSet<>(members.keySet());
    all.addAll(joining);
    return all;
  }

  /**
   * Who computes {@code shard}: {@code preferred} if it is a live member not tried yet, else the
   * untried members in id order, by shard id; null when none is left.
   */
  String pick(Shard shard, String preferred, Set<String> tried) {
    if (preferred != null && members.containsKey(preferred) && !tried.contains(preferred)) {
      return preferred;
    }
    List<String> live = members.keySet().stream().filter(w -> !tried.contains(w)).toList();
    return live.isEmpty() ? null : live.get(shard.id() % live.size());
  }

  /** Whether a member other than {@code by} and the {@code tried} ones is left. */
  boolean anotherThan(String by, Set<String> tried) {
    return members.keySet().stream().anyMatch(w -> !tried.contains(w) && !w.equals(by));
  }
}

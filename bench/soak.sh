#!/usr/bin/env bash
# Memory soak of the parameter server: a coordinator and two worker JVMs on 127.0.0.1
# (scripts/start-cluster.sh) train a small Conv-4 (width 0.5, M=16, K=4, checkpoint every 100
# steps) for DURATION seconds; every 30 s each JVM's resident memory goes to OUT/rss.tsv, and the
# coordinator's live Java heap (a class histogram, which runs a full GC first) is written after
# the warm-up (5 minutes, or a sixth of DURATION) and at the end (OUT/histogram-{first,last}.txt). Then the cluster is stopped.
# Usage (repository root, after `mvn -B -q package -DskipTests`):
#   bench/soak.sh                      # 30 minutes, OUT=runs/soak-<time>
#   DURATION=600 OUT=/tmp/soak bench/soak.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"
DURATION=${DURATION:-1800}
OUT=${OUT:-runs/soak-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-1}
export RELREASON_JAVA_OPTS=${RELREASON_JAVA_OPTS:--Xmx1g -Dorg.bytedeco.javacpp.maxbytes=2G -Dorg.bytedeco.javacpp.maxphysicalbytes=3G}
port=$((20000 + RANDOM % 20000))
run=$OUT/cluster
scripts/start-cluster.sh --local --workers 2 --run-dir "$run" --cluster-name "soak-$$-$RANDOM" \
  --hz-port "$port" --metrics-port "$((port + 10))" --dashboard-port 0 --set m=16 --set k=4 \
  --set width=0.5 --set epochs=1000 --set checkpoint-dir="$OUT/checkpoints" \
  --set checkpoint-every=100 --set augment-threads=1 >"$OUT/start.out" 2>&1
trap 'scripts/stop-cluster.sh "$run" --timeout 60 >"$OUT/stop.out" 2>&1 || true' EXIT

histogram() { jcmd "$(cat "$run/coordinator.pid")" GC.class_histogram >"$OUT/histogram-$1.txt" 2>&1 || true; }
last_checkpoint() { find "$OUT/checkpoints" -name 'checkpoint-*.rrck' 2>/dev/null | sed 's/.*checkpoint-//; s/\.rrck//' | sort -n | tail -1; }

echo "seconds node rss_mb last_checkpoint_step" >"$OUT/rss.tsv"
start=$SECONDS
first=true
warm=$((DURATION / 6 < 300 ? DURATION / 6 : 300)) # the first histogram, after the warm-up
while ((SECONDS - start < DURATION)); do
  for n in coordinator w0 w1; do
    rss=$(awk '/VmRSS/ { print int($2 / 1024) }' "/proc/$(cat "$run/$n.pid")/status" 2>/dev/null || echo dead)
    echo "$((SECONDS - start)) $n $rss $(last_checkpoint)" >>"$OUT/rss.tsv"
  done
  if $first && ((SECONDS - start >= warm)); then
    histogram first
    first=false
  fi
  sleep 30
done
histogram last
echo "soak: $OUT/rss.tsv (last checkpoint: step $(last_checkpoint))"
awk -v warm="$warm" 'NR > 1 && $1 >= warm { if (!($2 in a)) { a[$2] = $3; t[$2] = $1 } b[$2] = $3; e = $1 }
  END { for (n in a) printf "soak: %s RSS %s MB at %d s -> %s MB at %d s\n", n, a[n], t[n], b[n], e }' "$OUT/rss.tsv"

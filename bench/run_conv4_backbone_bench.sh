#!/usr/bin/env bash
# Conv-4 backbone forward+backward, side by side: PyTorch (Debian python3-torch), the fast
# ND4J path and the DL4J graph, with the plain and the oneDNN natives, one K at a time,
# back to back. Usage (from the repository root, after `mvn -o -q -pl model -am install -DskipTests`):
#   bench/run_conv4_backbone_bench.sh "2 4 8 16" 7
set -euo pipefail
KS=${1:-"2 4 8 16"}
REPS=${2:-7}
THREADS=${THREADS:-2}
export OMP_NUM_THREADS=$THREADS
for c in linux-x86_64 linux-x86_64-onednn-avx2; do
  mvn -o -q -pl model dependency:build-classpath -Dnd4j.classifier=$c \
    -Dmdep.outputFile=/tmp/relreason-cp-$c.txt >/dev/null
done
for k in $KS; do
  /usr/bin/python3 bench/pytorch_conv4_backbone.py --k "$k" --reps "$REPS" --threads "$THREADS"
  for c in linux-x86_64 linux-x86_64-onednn-avx2; do
    impls=fast,dl4j
    # The DL4J graph at K=16 needs ~7 GB and several seconds a step: time it once per run.
    [ "$k" -ge 16 ] && [ "$c" != linux-x86_64 ] && impls=fast
    java -Xmx8g -cp "model/target/classes:$(cat /tmp/relreason-cp-$c.txt)" \
      org.relreason.model.nn.fast.BackboneBench --k "$k" --reps "$REPS" --threads "$THREADS" \
      --impl "$impls" --profile-k "${PROFILE_K:-0}" 2>/dev/null \
      | grep -E '^(bench|op|#)' | sed "s/^bench /bench natives=$c /"
  done
done

#!/usr/bin/env bash
# Whole relational-reasoning step, relreason `bench` against the PyTorch reference
# (bench/pytorch_step.py: same backbone, M, K and thread count), back to back, ROUNDS times,
# printing the load average before each run, and per pair the views/s ratio and both sides' peak
# resident memory. Each side runs in a fresh process, so its peak is its own.
# relreason runs twice per K: `--views fixed` (one batch of views every step: the step alone, as
# pytorch_step.py times PyTorch's on fixed random images; the like-for-like ratio) and
# `--views augmented` (new augmented views every step, built beside the step: what a run does,
# which the PyTorch script does not do). VIEWS="fixed" or VIEWS="augmented" runs one of them.
# Usage (repository root, after `mvn -o -q -B package -DskipTests`):
#   bench/run_step_vs_pytorch.sh conv4 "4 16" 3          # backbone, Ks, rounds
#   STEPS=3 WARMUP=1 bench/run_step_vs_pytorch.sh resnet32 4 2
#   M=4 STEPS=2 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet34 25 1   # STL-10's K
set -euo pipefail
BACKBONE=${1:-conv4}
KS=${2:-"4 16"}
ROUNDS=${3:-3}
THREADS=${THREADS:-2}
STEPS=${STEPS:-8}
WARMUP=${WARMUP:-2}
PYSTEPS=${PYSTEPS:-12}
M=${M:-64}
VIEWS=${VIEWS:-"fixed augmented"}
export OMP_NUM_THREADS=$THREADS
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
for r in $(seq 1 "$ROUNDS"); do
  for k in $KS; do
    declare -A rr=()
    for v in $VIEWS; do
      echo "# round $r K=$k views=$v $(uptime | sed 's/.*load average/load average/')"
      rr[$v]=$("$here/relreason" bench --backbones "$BACKBONE" --k "$k" --m "$M" \
        --steps "$STEPS" --warmup "$WARMUP" --views "$v" 2>/dev/null | grep '^bench ')
      echo "${rr[$v]}"
    done
    echo "# $(uptime | sed 's/.*load average/load average/')"
    pt=$(/usr/bin/python3 "$here/bench/pytorch_step.py" --backbone "$BACKBONE" --k "$k" \
      --m "$M" --steps "$PYSTEPS" --warmup "$WARMUP" --threads "$THREADS" | grep '^pytorch ')
    echo "$pt"
    b=$(sed -n 's/.*views_per_s=\([0-9.]*\).*/\1/p' <<<"$pt")
    cb=$(sed -n 's/.*cpu_s_per_step=\([0-9.]*\).*/\1/p' <<<"$pt")
    mb=$(sed -n 's/.*peak_rss_mb=\([0-9.]*\).*/\1/p' <<<"$pt")
    for v in $VIEWS; do
      a=$(sed -n 's/.*views_per_s=\([0-9.]*\).*/\1/p' <<<"${rr[$v]}")
      ca=$(sed -n 's/.*cpu_s_per_step=\([0-9.]*\).*/\1/p' <<<"${rr[$v]}")
      ma=$(sed -n 's/.*peak_rss_mb=\([0-9.]*\).*/\1/p' <<<"${rr[$v]}")
      if [[ -z "$a" ]]; then
        echo "ratio backbone=$BACKBONE K=$k M=$M round=$r views=$v failed (see the bench line)"
        continue
      fi
      awk -v a="$a" -v b="$b" -v ca="$ca" -v cb="$cb" -v k="$k" -v bb="$BACKBONE" -v r="$r" \
        -v m="$M" -v ma="$ma" -v mb="$mb" -v vv="$v" \
        'BEGIN { printf "ratio backbone=%s K=%s M=%s round=%s views=%s views_per_s=%.2f cpu_per_step=%.2f relreason_views_per_s=%s pytorch_views_per_s=%s relreason_peak_rss_mb=%s pytorch_peak_rss_mb=%s\n", bb, k, m, r, vv, a / b, cb / ca, a, b, ma, mb }'
    done
  done
done

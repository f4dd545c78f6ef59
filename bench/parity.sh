#!/usr/bin/env bash
# Learning parity, side by side: the PyTorch learning reference (../shared/bench/
# pytorch_reference_train.py) and relreason, on the same data and settings, one seed after the
# other (reference first, then relreason, back to back), then one table: linear top-1, epoch loss,
# mean loss of the first 10 steps, pre-training seconds and views/s, and the means over the seeds.
#
#   bench/parity.sh                 # Fashion-MNIST, Conv-4, K=4, M=64, 1 epoch, seeds 1 2 3
#   SEEDS="1" EPOCHS=10 DATASET=cifar10 DATA_DIR=/data/cifar bench/parity.sh
#
# Needs Debian's python3-torch and python3-torchvision (run with /usr/bin/python3) and the jar
# built by `mvn -B -q package -DskipTests`. relreason runs as a user would: `./relreason train`
# with default settings (one process), so no per-seed or per-dataset tuning. Logs and JSON go to
# $OUT (default runs/parity). Run on a quiet machine: the times are only comparable back to back.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS=${SEEDS:-"1 2 3"}
EPOCHS=${EPOCHS:-1}
DATASET=${DATASET:-fashion-mnist}
DATA_DIR=${DATA_DIR:-/usr/share/datasets/fashion-mnist}
K=${K:-4}
M=${M:-64}
THREADS=${THREADS:-2}
OUT=${OUT:-runs/parity}
REFERENCE=${REFERENCE:-../shared/bench/pytorch_reference_train.py}
EXTRA=${EXTRA:-}   # extra flags for both sides, e.g. "--train-limit 4000" (same spelling in both)

[[ -f "$REFERENCE" ]] || { echo "parity: $REFERENCE not found (set REFERENCE=...)" >&2; exit 1; }
/usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null || {
  echo "parity: torch is missing: apt-get install -y --no-install-recommends python3-torch python3-torchvision" >&2
  exit 1
}
[[ -f cli/target/relreason-cli.jar ]] || mvn -B -q package -DskipTests
mkdir -p "$OUT"

for seed in $SEEDS; do
  echo "parity: seed $seed: reference" >&2
  # shellcheck disable=SC2086
  OMP_NUM_THREADS=$THREADS /usr/bin/python3 "$REFERENCE" --dataset "$DATASET" --data-dir "$DATA_DIR" \
    --epochs "$EPOCHS" --k "$K" --m "$M" --seed "$seed" --threads "$THREADS" $EXTRA \
    > "$OUT/reference-$seed.log" 2>&1
  echo "parity: seed $seed: relreason" >&2
  # shellcheck disable=SC2086
  ./relreason train --dataset "$DATASET" --data-dir "$DATA_DIR" --epochs "$EPOCHS" --k "$K" \
    --m "$M" --seed "$seed" --dashboard-port 0 --result-file "$OUT/relreason-$seed.json" $EXTRA \
    > "$OUT/relreason-$seed.log" 2>&1
done

/usr/bin/python3 - "$OUT" $SEEDS <<'PY'
import json, re, statistics, sys
out, seeds = sys.argv[1], sys.argv[2:]
rows = {"reference": [], "relreason": []}
for s in seeds:
    ref = json.loads([l for l in open(f"{out}/reference-{s}.log") if l.startswith("{")][-1])
    rows["reference"].append((s, ref["linear_top1"], ref["loss_per_epoch"], ref["first10_loss"],
                              ref["train_seconds"], ref["steps"] * ref["m"] * ref["k"] / ref["train_seconds"]))
    rr = json.load(open(f"{out}/relreason-{s}.json"))
    log = open(f"{out}/relreason-{s}.log").read()
    first = re.search(r"first 10 steps mean loss ([0-9.]+)", log)
    rows["relreason"].append((s, rr["linear_top1"], [round(h["loss"], 4) for h in rr["history"]],
                              float(first.group(1)) if first else None, rr["train_seconds"],
                              rr["views_per_second"]))
print("| system | seed | linear top-1 | epoch loss | first-10-step loss | train s | views/s |")
print("|---|---|---|---|---|---|---|")
for system, rs in rows.items():
    for s, acc, losses, first, secs, vps in rs:
        print(f"| {system} | {s} | {acc:.4f} | {' / '.join(f'{l:.4f}' for l in losses)} | "
              f"{first:.4f} | {secs:.1f} | {vps:.0f} |")
for system, rs in rows.items():
    mean = lambda i: statistics.mean(r[i] for r in rs)
    last = statistics.mean(r[2][-1] for r in rs)
    print(f"| **{system} mean** | {' '.join(seeds)} | **{mean(1):.4f}** | {last:.4f} (last) | "
          f"{mean(3):.4f} | {mean(4):.1f} | {mean(5):.0f} |")
ratio = statistics.mean(r[4] for r in rows["relreason"]) / statistics.mean(r[4] for r in rows["reference"])
print(f"\nrelreason / reference pre-training time: {ratio:.2f}")
PY

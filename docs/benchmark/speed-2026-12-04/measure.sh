#!/usr/bin/env bash
# speed table, parity, quick start before/after; run from nothing else running
set -uo pipefail
cd /work/after
{
echo "== speed $(date -u +%FT%TZ)"
bench/run_step_vs_pytorch.sh conv4 "4 16 32" 1
bench/run_step_vs_pytorch.sh resnet32 4 1
STEPS=3 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet32 16 1
M=4 STEPS=2 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet34 25 1
echo "== speed done $(date -u +%FT%TZ)"
} > /work/runs/speed.log 2>&1
{
echo "== parity $(date -u +%FT%TZ)"
OUT=/work/runs/parity-s4 bench/parity.sh
echo "== parity done $(date -u +%FT%TZ)"
} > /work/runs/parity.log 2>&1
{
for round in 1 2; do
  for side in before after; do
    cd /work/$side
    echo "== quickstart $side round $round $(date -u +%FT%TZ) $(uptime | sed 's/.*load average/load average/') commit $(git rev-parse --short HEAD)"
    /usr/bin/time -f "wall_s=%e peak_rss_kb=%M" ./relreason train --workers 2 --epochs 1 --with-random-baseline --result-file /work/runs/qs-$side-$round.json 2> /work/runs/qs-$side-$round.err > /dev/null
    tail -1 /work/runs/qs-$side-$round.err
    grep -o 'views/s[^,]*\|[0-9.]* views/s' /work/runs/qs-$side-$round.err | tail -2
  done
done
echo "== quickstart done $(date -u +%FT%TZ)"
} > /work/runs/quickstart.log 2>&1

#!/usr/bin/env bash
# the quick start's run, built, before (a7ab7fa, this round's start) and after, two rounds each
set -uo pipefail
for round in 1 2; do
  for side in before after; do
    cd /work/$side
    echo "== quickstart $side round $round $(date -u +%FT%TZ) $(uptime | sed 's/.*load average/load average/') commit $(git rev-parse --short HEAD)"
    /usr/bin/time -f "wall_s=%e peak_rss_kb=%M" ./relreason train --workers 2 --epochs 1 --with-random-baseline --result-file /work/runs/qs-$side-$round.json 2> /work/runs/qs-$side-$round.err > /dev/null
    tail -1 /work/runs/qs-$side-$round.err
    grep -o '[0-9.]* views/s' /work/runs/qs-$side-$round.err | tail -2
  done
done
echo "== quickstart done $(date -u +%FT%TZ)"

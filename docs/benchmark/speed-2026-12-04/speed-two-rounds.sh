#!/usr/bin/env bash
set -uo pipefail
cd /work/after
{
echo "== speed $(date -u +%FT%TZ) commit $(git rev-parse --short HEAD)"
bench/run_step_vs_pytorch.sh conv4 "4 16 32" 2
bench/run_step_vs_pytorch.sh resnet32 4 2
STEPS=3 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet32 16 2
M=4 STEPS=2 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet34 25 2
echo "== speed done $(date -u +%FT%TZ)"
} > /work/runs/step-vs-pytorch.log 2>&1

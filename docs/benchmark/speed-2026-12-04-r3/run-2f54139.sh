#!/usr/bin/env bash
cd /work/after
date -u
STEPS=30 WARMUP=5 PYSTEPS=30 bench/run_step_vs_pytorch.sh conv4 4 2
bench/run_step_vs_pytorch.sh conv4 "16 32" 2
date -u

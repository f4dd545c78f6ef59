#!/usr/bin/env bash
cd /work/after
date -u
STEPS=30 WARMUP=5 PYSTEPS=30 bench/run_step_vs_pytorch.sh conv4 4 2
STEPS=12 WARMUP=2 PYSTEPS=12 bench/run_step_vs_pytorch.sh resnet32 4 2
M=4 STEPS=2 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet34 25 2
date -u

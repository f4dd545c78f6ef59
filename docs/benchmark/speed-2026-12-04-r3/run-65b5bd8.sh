#!/usr/bin/env bash
cd /work/after
date -u
bench/run_step_vs_pytorch.sh conv4 "4 16 32" 2
bench/run_step_vs_pytorch.sh resnet32 4 2
STEPS=3 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet32 16 2
M=4 STEPS=2 WARMUP=1 PYSTEPS=3 bench/run_step_vs_pytorch.sh resnet34 25 2
date -u

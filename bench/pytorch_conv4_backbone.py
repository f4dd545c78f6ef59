#!/usr/bin/env python3
"""PyTorch reference for BackboneBench: Conv-4 backbone training forward + backward only
(no head), same shapes as the Java bench (M images x K views, 3x32x32, external dL/dfeatures).

  /usr/bin/python3 bench/pytorch_conv4_backbone.py --k 2 4 8 16 --m 64 --reps 7 --threads 2

Prints `bench backbone=conv4 impl=torch K=.. M=.. fwd_s=.. bwd_s=.. views_per_s=..` (medians)
and min_step_s. Conv4 is imported from ../shared/bench/pytorch_reference_step.py.
"""
import argparse
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "bench"))
sys.path.insert(0, "/work/shared/bench")
from pytorch_reference_step import Conv4  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--k", type=int, nargs="+", default=[2, 4, 8, 16])
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--reps", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for k in a.k:
        torch.manual_seed(0)
        net = Conv4().train()
        n = k * a.m
        x = torch.randn(n, 3, 32, 32)
        g = torch.randn(n, 64) / n
        fwd, bwd = [], []
        for r in range(a.reps + 2):
            for p in net.parameters():
                p.grad = None
            t0 = time.perf_counter()
            f = net(x)
            t1 = time.perf_counter()
            f.backward(g)
            t2 = time.perf_counter()
            if r >= 2:
                fwd.append(t1 - t0)
                bwd.append(t2 - t1)
        mf, mb = statistics.median(fwd), statistics.median(bwd)
        steps = [a_ + b_ for a_, b_ in zip(fwd, bwd)]
        print(f"bench backbone=conv4 impl=torch K={k} M={a.m} threads={a.threads} "
              f"fwd_s={mf:.4f} bwd_s={mb:.4f} views_per_s={n / (mf + mb):.0f} "
              f"min_step_s={min(steps):.4f}", flush=True)


if __name__ == "__main__":
    main()

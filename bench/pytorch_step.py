#!/usr/bin/env python3
"""PyTorch reference of one relational-reasoning training step for the backbones relreason
benches: Conv-4 (as ../shared/bench/pytorch_reference_step.py) and the CIFAR ResNets of
model/.../nn/CifarResNet.java (ResNet-8/32/56: stem conv3x3(16)-BN-ReLU, three stages of basic
blocks with 16/32/64 channels and strides 1/2/2, conv1x1-BN shortcuts where the shape changes,
global average pooling) and ResNet-34 (torchvision's resnet34 without its classifier, 512
features, on 96x96 inputs as relreason benches it for STL-10). Per step: M images x K views -> backbone -> all view pairs (i<j),
positives cat(F_i, F_j) and negatives cat(F_i, roll(F_j, shift)) -> relation head
(Linear(2D,256)-BN-LeakyReLU-Linear(256,1)) -> sigmoid focal loss (gamma 2, alpha 0.5) -> Adam.

Prints per K the median wall time of a step and the process CPU seconds per step
(time.process_time, all threads): the CPU figure is what a loaded, shared machine disturbs least;
and the process's peak resident memory (peak_rss_mb, getrusage's ru_maxrss).

Usage:
  python3 bench/pytorch_step.py --backbone resnet32 --k 4 --m 64 --steps 5 --threads 2
"""
import argparse
import resource
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def conv4():
    ch = [3, 8, 16, 32, 64]
    layers = []
    for i in range(4):
        layers += [nn.Conv2d(ch[i], ch[i + 1], 3, padding=1, bias=False),
                   nn.BatchNorm2d(ch[i + 1]), nn.ReLU(inplace=True),
                   nn.AdaptiveAvgPool2d(1) if i == 3 else nn.AvgPool2d(2)]
    return nn.Sequential(*layers, nn.Flatten()), 64


class BasicBlock(nn.Module):
    """relu(bn(conv3x3(relu(bn(conv3x3_s(x))))) + shortcut(x)), shortcut conv1x1_s-BN if needed."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, 0, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x):
        y = F.relu(self.bn1(self.conv1(x)))
        return F.relu(self.bn2(self.conv2(y)) + self.shortcut(x))


def cifar_resnet(blocks):
    layers = [nn.Conv2d(3, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True)]
    cin = 16
    for cout, stride in ((16, 1), (32, 2), (64, 2)):
        for b in range(blocks):
            layers.append(BasicBlock(cin, cout, stride if b == 0 else 1))
            cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers), 64


def resnet34():
    import torchvision

    net = torchvision.models.resnet34()
    net.fc = nn.Identity()
    return net, 512


BACKBONES = {"conv4": conv4, "resnet8": lambda: cifar_resnet(1),
             "resnet32": lambda: cifar_resnet(5), "resnet56": lambda: cifar_resnet(9),
             "resnet34": resnet34}
SIDE = {"resnet34": 96}  # input side in pixels; 32 for the others


def head(feat):
    return nn.Sequential(nn.Linear(2 * feat, 256), nn.BatchNorm1d(256), nn.LeakyReLU(),
                         nn.Linear(256, 1))


def focal_loss(logits, targets, gamma=2.0, alpha=0.5):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, targets, reduction="none")
    p_t = p * targets + (1.0 - p) * (1.0 - targets)
    alpha_t = alpha * targets + (1.0 - alpha) * (1.0 - targets)
    return (alpha_t * ce * (1.0 - p_t) ** gamma).mean()


def pairs(features, m, k):
    views = features.split(m, dim=0)
    pos, neg = [], []
    shift = 1
    for i in range(k):
        for j in range(i + 1, k):
            pos.append(torch.cat([views[i], views[j]], dim=1))
            neg.append(torch.cat([views[i], torch.roll(views[j], shifts=shift, dims=0)], dim=1))
            shift = shift + 1 if shift + 1 < m else 1
    t = torch.cat([torch.ones(len(pos) * m, 1), torch.zeros(len(neg) * m, 1)], dim=0)
    return torch.cat(pos + neg, dim=0), t


def time_steps(name, k, m, steps, warmup):
    torch.manual_seed(0)
    backbone, feat = BACKBONES[name]()
    rel = head(feat)
    opt = torch.optim.Adam(list(backbone.parameters()) + list(rel.parameters()), lr=1e-3)
    side = SIDE.get(name, 32)
    images = torch.randn(k * m, 3, side, side)

    def step():
        opt.zero_grad(set_to_none=True)
        x, t = pairs(backbone(images), m, k)
        loss = focal_loss(rel(x), t)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    walls = []
    c0 = time.process_time()
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        walls.append(time.perf_counter() - t0)
    cpu = (time.process_time() - c0) / steps
    return statistics.median(walls), min(walls), cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--backbone", default="conv4", choices=sorted(BACKBONES))
    ap.add_argument("--k", type=int, nargs="+", default=[4])
    ap.add_argument("--m", type=int, default=64)
    ap.add_argument("--steps", type=int, default=12)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"# torch={torch.__version__} threads={torch.get_num_threads()}", flush=True)
    for k in args.k:
        wall, best, cpu = time_steps(args.backbone, k, args.m, args.steps, args.warmup)
        print(f"pytorch backbone={args.backbone} K={k} M={args.m} views_per_s={args.m * k / wall:.1f}"
              f" step_s={wall:.4f} min_step_s={best:.4f} cpu_s_per_step={cpu:.4f}"
              f" peak_rss_mb={resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}",
              flush=True)


if __name__ == "__main__":
    main()

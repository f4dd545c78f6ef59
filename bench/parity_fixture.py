#!/usr/bin/env python3
"""Writes the step-level equivalence fixtures of relreason's learning core against PyTorch.

Run by hand (never needed by CI; the Java test `model/.../train/TorchParityTest.java` only reads
what this writes):

  /usr/bin/python3 bench/parity_fixture.py --data-dir /usr/share/datasets/fashion-mnist \
      --out model/src/test/resources/parity

Each fixture is one safetensors file (an 8-byte little-endian header length, a JSON header, raw
little-endian tensors) holding, for one backbone and one aggregation:

  views                 [K*M, 3, 32, 32] already-augmented real views (the first M Fashion-MNIST
                        training images through the learning reference's torchvision pipeline),
                        view-major: view v of image n is row v*M + n
  pair_left, pair_right [P] int32 feature rows of each pair; pair_target [P] 0/1
  init/<name>           initial parameters, named and laid out as relreason's Deeplearning4j
                        graphs name them (conv W [out, in, kH, kW]; dense W [in, out], the
                        transpose of nn.Linear.weight); batch-norm running statistics as
                        <bn>_mean and <bn>_var (relreason stores log10 of the std)
  logits [P], loss []   of the first step (training mode)
  grad/<name>           dL/d<name> of the first step, trainable parameters only
  step1/<name>, step3/<name>   every parameter (running statistics included) after 1 and 3 Adam
                        steps (lr 1e-3) on the same views

With PARITY_DEBUG=1 each step's gradients are written too (grad2/, grad3/), which the Java test
then also compares: the diagnostic that located a drift between steps 1 and 3.

Everything is computed in float64 from float32-representable inputs and weights, and stored as
float32. The pairs follow relreason's PairPlan: for view indices i < j in lexicographic order
(one block each, shift s starting at 1, +1 per block, back to 1 when it reaches M), M positives
(z_i[n], z_j[n]) and M negatives (z_i[n], z_j[(n + s) mod M]); all positives first, then all
negatives. Initial weights: the learning reference's (normal(0, sqrt(2/(kH*kW*out))) convs,
PyTorch's default nn.Linear, batch-norm 1/0).
"""
import argparse
import gzip
import json
import os
import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision.transforms as T
from PIL import Image

MEAN, STD = (0.286,) * 3, (0.353,) * 3


def fmnist_views(data_dir, m, k, seed):
    with gzip.open(os.path.join(data_dir, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:m]
    x = np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2)))[:, :, :, None], 3, axis=3)
    aug = T.Compose([T.RandomResizedCrop(32, scale=(0.08, 1.0)), T.RandomHorizontalFlip(),
                     T.RandomApply([T.ColorJitter(0.8, 0.8, 0.8, 0.2)], p=0.8),
                     T.RandomGrayscale(0.2), T.ToTensor(), T.Normalize(MEAN, STD)])
    torch.manual_seed(seed)
    pil = [Image.fromarray(im) for im in x]
    return torch.stack([aug(pil[n]) for _ in range(k) for n in range(m)])


class ConvBn(nn.Module):
    def __init__(self, cin, cout, kernel, stride, pad):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, kernel, stride, pad, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return self.bn(self.conv(x))


class Conv4(nn.Module):
    def __init__(self):
        super().__init__()
        ch = [3, 8, 16, 32, 64]
        self.blocks = nn.ModuleList(ConvBn(ch[i], ch[i + 1], 3, 1, 1) for i in range(4))
        self.feature_size = 64

    def forward(self, x):
        for i, b in enumerate(self.blocks):
            x = F.relu(b(x))
            x = F.avg_pool2d(x, 2) if i < 3 else x.mean((2, 3))
        return x

    def named(self):
        return [(f"block{i + 1}_conv", f"block{i + 1}_bn", b) for i, b in enumerate(self.blocks)]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = ConvBn(cin, cout, 3, stride, 1)
        self.c2 = ConvBn(cout, cout, 3, 1, 1)
        self.short = ConvBn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None

    def forward(self, x):
        y = self.c2(F.relu(self.c1(x)))
        return F.relu(y + (self.short(x) if self.short is not None else x))


class CifarResNet(nn.Module):
    def __init__(self, blocks):
        super().__init__()
        self.stem = ConvBn(3, 16, 3, 1, 1)
        self.stages = nn.ModuleList()
        cin = 16
        for s, cout in enumerate([16, 32, 64]):
            self.stages.append(nn.ModuleList(
                Block(cin if b == 0 else cout, cout, (1 if s == 0 else 2) if b == 0 else 1)
                for b in range(blocks)))
            cin = cout
        self.feature_size = 64

    def forward(self, x):
        x = F.relu(self.stem(x))
        for stage in self.stages:
            for b in stage:
                x = b(x)
        return x.mean((2, 3))

    def named(self):
        """(conv name, batch-norm name, module) as nn/CifarResNet.java and BasicBlock.java name them."""
        out = [("stem_conv", "stem_bn", self.stem)]
        for s, stage in enumerate(self.stages):
            for b, blk in enumerate(stage):
                p = f"stage{s + 1}_block{b + 1}_"
                out += [(p + "conv1", p + "bn1", blk.c1), (p + "conv2", p + "bn2", blk.c2)]
                if blk.short is not None:
                    out.append((p + "shortcut_conv", p + "shortcut_bn", blk.short))
        return out


def conv_bn_tensors(conv, bn, cb):
    return {conv + "_W": cb.conv.weight, bn + "_gamma": cb.bn.weight, bn + "_beta": cb.bn.bias,
            bn + "_mean": cb.bn.running_mean, bn + "_var": cb.bn.running_var}


def init_reference(module):
    for m in module.modules():
        if isinstance(m, nn.Conv2d):
            n = m.kernel_size[0] * m.kernel_size[1] * m.out_channels
            m.weight.data.normal_(0, (2.0 / n) ** 0.5)


class Model(nn.Module):
    def __init__(self, backbone, aggregation):
        super().__init__()
        self.backbone = backbone
        self.aggregation = aggregation
        d = backbone.feature_size * (2 if aggregation == "cat" else 1)
        self.lin0, self.bn1, self.lin3 = nn.Linear(d, 256), nn.BatchNorm1d(256), nn.Linear(256, 1)

    def tensors(self):
        t = {}
        for conv, bn, cb in self.backbone.named():
            t.update(conv_bn_tensors(conv, bn, cb))
        t.update({"head_0_W": self.lin0.weight, "head_0_b": self.lin0.bias,
                  "head_1_gamma": self.bn1.weight, "head_1_beta": self.bn1.bias,
                  "head_1_mean": self.bn1.running_mean, "head_1_var": self.bn1.running_var,
                  "head_3_W": self.lin3.weight, "head_3_b": self.lin3.bias})
        return t

    def join(self, a, b):
        if self.aggregation == "cat":
            return torch.cat([a, b], 1)
        if self.aggregation == "sum":
            return a + b
        if self.aggregation == "mean":
            return (a + b) / 2
        return torch.maximum(a, b)

    def forward(self, views, left, right):
        f = self.backbone(views)
        pairs = self.join(f[left], f[right])
        return self.lin3(F.leaky_relu(self.bn1(self.lin0(pairs)), 0.01)).squeeze(1)


def pair_plan(m, k):
    left, right, shifts, s = [], [], [], 1
    for i in range(k):
        for j in range(i + 1, k):
            shifts.append((i, j, s))
            s = 1 if s + 1 >= m else s + 1
    for negative in (False, True):
        for i, j, s in shifts:
            for n in range(m):
                left.append(i * m + n)
                right.append(j * m + ((n + s) % m if negative else n))
    p = len(shifts) * m
    return np.array(left), np.array(right), np.array([1.0] * p + [0.0] * p)


def focal(logits, t, gamma=2.0, alpha=0.5):
    p = torch.sigmoid(logits)
    ce = F.binary_cross_entropy_with_logits(logits, t, reduction="none")
    pt = p * t + (1 - p) * (1 - t)
    return ((alpha * t + (1 - alpha) * (1 - t)) * ce * (1 - pt) ** gamma).mean()


def to_relreason(name, value):
    """A tensor as relreason lays it out: dense weights transposed to [in, out]."""
    v = value.detach().to(torch.float32).numpy()
    if name.startswith("head_") and name.endswith("_W"):
        v = v.T
    return np.ascontiguousarray(v)


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, arr in tensors.items():
        dtype = {np.float32: "F32", np.int32: "I32"}[arr.dtype.type]
        raw = arr.astype(arr.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def fixture(backbone_name, backbone, aggregation, views, m, k, seed, steps=3, lr=1e-3):
    torch.manual_seed(seed)
    model = Model(backbone, aggregation)
    init_reference(model.backbone)
    # float32-representable start, float64 arithmetic
    for p in model.parameters():
        p.data = p.data.float().double()
    model.double().train()
    left, right, target = pair_plan(m, k)
    x = views.double()
    t = torch.from_numpy(target).double()
    out = {"views": views.numpy().astype(np.float32),
           "pair_left": left.astype(np.int32), "pair_right": right.astype(np.int32),
           "pair_target": target.astype(np.float32)}
    out.update({"init/" + n: to_relreason(n, v) for n, v in model.tensors().items()})
    opt = torch.optim.Adam(model.parameters(), lr)
    for step in range(1, steps + 1):
        opt.zero_grad()
        logits = model(x, torch.from_numpy(left), torch.from_numpy(right))
        loss = focal(logits, t)
        loss.backward()
        if step == 1:
            out["logits"] = logits.detach().float().numpy()
            out["loss"] = np.array(loss.item(), dtype=np.float32)
            for n, v in model.tensors().items():
                if v.grad is not None:
                    out["grad/" + n] = to_relreason(n, v.grad)
        if step > 1 and os.environ.get("PARITY_DEBUG"):
            for n, v in model.tensors().items():
                if v.grad is not None:
                    out[f"grad{step}/" + n] = to_relreason(n, v.grad)
        opt.step()
        if step in (1, 3):
            out.update({f"step{step}/" + n: to_relreason(n, v) for n, v in model.tensors().items()})
    meta = {"backbone": backbone_name, "aggregation": aggregation, "m": str(m), "k": str(k),
            "seed": str(seed), "lr": str(lr), "loss": "focal gamma=2 alpha=0.5",
            "torch": torch.__version__, "writer": "bench/parity_fixture.py"}
    return out, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default="model/src/test/resources/parity")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    cases = [("conv4", agg, 8, 4) for agg in ("cat", "sum", "mean", "max")] + [("resnet32", "cat", 4, 4)]
    for name, agg, m, k in cases:
        views = fmnist_views(a.data_dir, m, k, a.seed)
        backbone = Conv4() if name == "conv4" else CifarResNet(5)
        tensors, meta = fixture(name, backbone, agg, views, m, k, a.seed)
        path = os.path.join(a.out, f"{name}-{agg}.safetensors")
        write_safetensors(path, tensors, meta)
        print(f"{path}: loss {float(tensors['loss']):.6f}, {len(tensors)} tensors, "
              f"{os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Exports statistics of torchvision's augmentation (the learning reference's pipeline) on real
Fashion-MNIST images, for relreason's augmentation parity test
(model/.../augment/TorchvisionParityTest.java). Run by hand; CI only reads the JSON it writes:

  /usr/bin/python3 bench/augment_stats.py --out model/src/test/resources/parity/augment-stats.json

What it records, from torchvision's own functions (RandomResizedCrop.get_params,
ColorJitter.get_params) and the whole pipeline on PIL images:
  crop: histograms of the crop's area fraction and log aspect ratio (h, w as drawn), and how often
        the ten tries all fail and the centre-crop fallback is taken (forced with a scale range
        no 32x32 crop can meet);
  flip: the rate of RandomHorizontalFlip;
  jitter: the range of each colour-jitter factor and the frequency of each op at each position of
        the random order; the rate of RandomApply (p=0.8) and RandomGrayscale (p=0.2);
  grayscale: the luma weights of rgb_to_grayscale on PIL images, read off pure red, green, blue;
  views: per-channel mean and std of the normalised views of the whole pipeline.
"""
import argparse, gzip, json, math, os

import numpy as np
import torch
import torchvision.transforms as T
import torchvision.transforms.functional as TF
from PIL import Image

MEAN, STD = (0.286,) * 3, (0.353,) * 3
AREA_BINS = np.linspace(0.08, 1.0, 24).tolist()
LOG_RATIO_BINS = np.linspace(math.log(3 / 4), math.log(4 / 3), 21).tolist()


def images(data_dir, n):
    with gzip.open(os.path.join(data_dir, "train-images-idx3-ubyte.gz")) as f:
        x = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 28, 28)[:n]
    x = np.repeat(np.pad(x, ((0, 0), (2, 2), (2, 2)))[:, :, :, None], 3, axis=3)
    return [Image.fromarray(im) for im in x]


def hist(values, bins):
    counts, _ = np.histogram(values, bins=bins)
    return (counts / len(values)).tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data-dir", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--out", default="model/src/test/resources/parity/augment-stats.json")
    ap.add_argument("--images", type=int, default=2000)
    ap.add_argument("--views", type=int, default=5)
    a = ap.parse_args()
    torch.manual_seed(0)
    pil = images(a.data_dir, a.images)
    n = a.images * a.views

    areas, log_ratios = [], []
    for i in range(n):
        top, left, h, w = T.RandomResizedCrop.get_params(pil[i % a.images], (0.08, 1.0), (3 / 4, 4 / 3))
        areas.append(h * w / (32 * 32))
        log_ratios.append(math.log(w / h))
    # a scale no crop of a 32x32 image can meet (area above the image): always the fallback
    fallback = T.RandomResizedCrop.get_params(pil[0], (1.5, 2.0), (3 / 4, 4 / 3))

    flips = sum(bool(torch.rand(1) < 0.5) for _ in range(n)) / n  # RandomHorizontalFlip's own test
    order = np.zeros((4, 4))
    factors = {"brightness": [], "contrast": [], "saturation": [], "hue": []}
    for _ in range(n):
        idx, b, c, s, h = T.ColorJitter.get_params((0.2, 1.8), (0.2, 1.8), (0.2, 1.8), (-0.2, 0.2))
        for pos, op in enumerate(idx.tolist()):
            order[op, pos] += 1
        for k, v in zip(factors, (b, c, s, h)):
            factors[k].append(float(v))
    # the reference grays PIL images: PIL's convert("L"), ITU-R 601-2 (in 8 bits, so +-1/255)
    luma = [TF.rgb_to_grayscale(Image.fromarray(np.full((1, 1, 3), 255 * np.eye(3, dtype=np.uint8)[c]))).getpixel((0, 0)) / 255
            for c in range(3)]

    aug = T.Compose([T.RandomResizedCrop(32, scale=(0.08, 1.0)), T.RandomHorizontalFlip(),
                     T.RandomApply([T.ColorJitter(0.8, 0.8, 0.8, 0.2)], p=0.8),
                     T.RandomGrayscale(0.2), T.ToTensor(), T.Normalize(MEAN, STD)])
    views = torch.stack([aug(pil[i % a.images]) for i in range(n)])
    stats = {
        "writer": "bench/augment_stats.py", "torchvision": __import__("torchvision").__version__,
        "dataset": "fashion-mnist (first %d training images, %d views each)" % (a.images, a.views),
        "samples": n,
        "crop_area_bins": AREA_BINS, "crop_area_hist": hist(areas, AREA_BINS),
        "crop_area_mean": float(np.mean(areas)),
        "crop_log_ratio_bins": LOG_RATIO_BINS, "crop_log_ratio_hist": hist(log_ratios, LOG_RATIO_BINS),
        "crop_fallback_for_unreachable_scale": list(fallback),
        "flip_rate": flips,
        "jitter_order_frequency": (order / n).tolist(),
        "jitter_factor_min": {k: min(v) for k, v in factors.items()},
        "jitter_factor_max": {k: max(v) for k, v in factors.items()},
        "jitter_factor_mean": {k: float(np.mean(v)) for k, v in factors.items()},
        "grayscale_weights": luma,
        "view_mean": views.mean((0, 2, 3)).tolist(), "view_std": views.std((0, 2, 3)).tolist(),
    }
    with open(a.out, "w") as f:
        json.dump(stats, f, indent=1)
    print(f"{a.out}: {n} views, mean {stats['view_mean']}, std {stats['view_std']}")


if __name__ == "__main__":
    main()

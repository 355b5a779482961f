#!/usr/bin/python3
#===- classifier_torch.py - PyTorch twin of the zoo's classifier ----------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""PyTorch twin of frontends/Zoo/Classifier.cpp.

The same network as `diffc-zoo classifier`, as a torch.nn.Module with the
same state-dict names and shapes (convs.0.weight, ..., fc.weight,
head.weight), in the same order as the compiled train_step takes them. It is
the reference of classifier_train_step_check.py.

  classifier_torch.py --print-state-dict [--channels 32,64 ...]
"""

import argparse
import sys
from dataclasses import dataclass, field
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class ClassifierConfig:
    """Mirror of mlir::diffc::zoo::ClassifierConfig (Classifier.h)."""
    in_channels: int = 1
    sample_size: int = 28
    channels: List[int] = field(default_factory=lambda: [32, 64])
    feature_dim: int = 128
    num_classes: int = 10
    activation: str = "relu"


class Classifier(nn.Module):
    def __init__(self, cfg: ClassifierConfig):
        super().__init__()
        self.cfg = cfg
        self.convs = nn.ModuleList()
        cin = cfg.in_channels
        for ch in cfg.channels:
            self.convs.append(nn.Conv2d(cin, ch, 3, padding=1))
            cin = ch
        side = cfg.sample_size >> len(cfg.channels)
        self.fc = nn.Linear(cin * side * side, cfg.feature_dim)
        self.head = nn.Linear(cfg.feature_dim, cfg.num_classes)

    def act(self, x):
        return F.silu(x) if self.cfg.activation == "silu" else F.relu(x)

    def forward(self, x):
        """(logits, features): features are the penultimate activations."""
        for conv in self.convs:
            x = F.avg_pool2d(self.act(conv(x)), 2)
        features = self.act(self.fc(x.flatten(1)))
        return self.head(features), features


def add_config_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--in-channels", type=int, default=1)
    p.add_argument("--sample-size", type=int, default=28)
    p.add_argument("--channels", default="32,64")
    p.add_argument("--feature-dim", type=int, default=128)
    p.add_argument("--num-classes", type=int, default=10)
    p.add_argument("--activation", choices=["relu", "silu"], default="relu")


def config_from_args(a) -> ClassifierConfig:
    return ClassifierConfig(
        in_channels=a.in_channels, sample_size=a.sample_size,
        channels=[int(c) for c in a.channels.split(",")],
        feature_dim=a.feature_dim, num_classes=a.num_classes,
        activation=a.activation)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_config_args(p)
    p.add_argument("--print-state-dict", action="store_true")
    a = p.parse_args()
    model = Classifier(config_from_args(a))
    if a.print_state_dict:
        total = 0
        for name, t in model.state_dict().items():
            print(name, list(t.shape))
            total += t.numel()
        print("parameters:", total)


if __name__ == "__main__":
    sys.exit(main())

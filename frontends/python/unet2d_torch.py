#!/usr/bin/python3
#===- unet2d_torch.py - PyTorch twin of the zoo's DDPM U-Net --------------===#
#
# Part of the diffc project, under the Apache License v2.0.
#
#===-----------------------------------------------------------------------===#
"""PyTorch twin of frontends/Zoo/UNet2D.cpp.

The same network as `diffc-zoo unet2d`, written as a torch.nn.Module whose
state-dict names and shapes are those of diffusers' UNet2DModel (and so of the
`diffc.parameter` ops the zoo emits). It is the reference for numerics checks
and the PyTorch side of the benchmarks; diffusers itself is not needed.

Run with /usr/bin/python3 (Debian's python3-torch):

  unet2d_torch.py --preset=fmnist_small --print-state-dict
  unet2d_torch.py --preset=cifar10_ddpm --summary
  unet2d_torch.py --preset=fmnist_small --write-case DIR --batch 2 --seed 1
  unet2d_torch.py --compare DIR/expected.npy DIR/got.npy

--write-case writes a numerics case for the compiled model: seeded random
weights (weights.safetensors, state-dict names), inputs (sample.npy,
timestep.npy, class_labels.npy when conditional) and the float64 forward pass
of this twin (expected.npy). `diffc-run MODEL.diffc call unet --weights ...`
then produces got.npy, and --compare prints the norm-wise relative error.
"""

import argparse
import json
import math
import os
import struct
import sys
from dataclasses import dataclass, field
from typing import List, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class UNet2DConfig:
    """Mirror of mlir::diffc::zoo::UNet2DConfig (UNet2D.h)."""
    sample_size: int = 32
    in_channels: int = 3
    out_channels: int = 3
    base_channels: int = 128
    channel_mult: List[int] = field(default_factory=lambda: [1, 2, 2, 2])
    layers_per_block: int = 2
    attention_resolutions: List[int] = field(default_factory=lambda: [16])
    norm_groups: int = 32
    norm_eps: float = 1e-6
    time_embed_dim: int = 0          # 0: 4 * block_out_channels[0]
    flip_sin_to_cos: bool = True
    freq_shift: float = 0.0
    attention_head_dim: int = 0      # 0: one head over all channels
    num_classes: int = 0             # >0: table of num_classes + 1 rows

    def temb_dim(self) -> int:
        return self.time_embed_dim or 4 * self.block_out_channels()[0]

    def block_out_channels(self) -> List[int]:
        return [self.base_channels * m for m in self.channel_mult]


def fmnist_small() -> UNet2DConfig:
    return UNet2DConfig(sample_size=28, in_channels=1, out_channels=1,
                        base_channels=64, channel_mult=[1, 2, 2],
                        layers_per_block=2, attention_resolutions=[7])


def cifar10_ddpm() -> UNet2DConfig:
    return UNet2DConfig(sample_size=32, in_channels=3, out_channels=3,
                        base_channels=128, channel_mult=[1, 2, 2, 2],
                        layers_per_block=2, attention_resolutions=[16])


PRESETS = {"fmnist_small": fmnist_small, "cifar10_ddpm": cifar10_ddpm}


def timestep_embedding(t: torch.Tensor, dim: int, flip_sin_to_cos: bool,
                       shift: float, max_period: float = 10000.0,
                       dtype=torch.float32):
    """diffusers.models.embeddings.get_timestep_embedding (scale = 1),
    computed in `dtype` (diffusers: float32)."""
    half = dim // 2
    exponent = -math.log(max_period) * torch.arange(
        half, dtype=dtype, device=t.device) / (half - shift)
    args = t[:, None].to(dtype) * torch.exp(exponent)[None, :]
    emb = torch.cat([torch.sin(args), torch.cos(args)], dim=-1)
    if flip_sin_to_cos:
        emb = torch.cat([emb[:, half:], emb[:, :half]], dim=-1)
    if dim % 2 == 1:
        emb = F.pad(emb, (0, 1, 0, 0))
    return emb


class TimestepEmbedding(nn.Module):
    def __init__(self, in_dim: int, dim: int):
        super().__init__()
        self.linear_1 = nn.Linear(in_dim, dim)
        self.linear_2 = nn.Linear(dim, dim)

    def forward(self, x):
        return self.linear_2(F.silu(self.linear_1(x)))


class ResnetBlock2D(nn.Module):
    def __init__(self, cin: int, cout: int, temb: int, groups: int, eps: float):
        super().__init__()
        self.norm1 = nn.GroupNorm(groups, cin, eps=eps)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.time_emb_proj = nn.Linear(temb, cout)
        self.norm2 = nn.GroupNorm(groups, cout, eps=eps)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.conv_shortcut = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x, emb):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.time_emb_proj(F.silu(emb))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        if self.conv_shortcut is not None:
            x = self.conv_shortcut(x)
        return x + h


class Attention(nn.Module):
    """diffusers' Attention as UNet2DModel builds it (residual, group norm)."""

    def __init__(self, channels: int, head_dim: int, groups: int, eps: float):
        super().__init__()
        self.heads = channels // head_dim
        self.group_norm = nn.GroupNorm(groups, channels, eps=eps)
        self.to_q = nn.Linear(channels, channels)
        self.to_k = nn.Linear(channels, channels)
        self.to_v = nn.Linear(channels, channels)
        self.to_out = nn.ModuleList([nn.Linear(channels, channels),
                                     nn.Dropout(0.0)])

    def forward(self, x):
        n, c, h, w = x.shape
        seq = self.group_norm(x).reshape(n, c, h * w).transpose(1, 2)
        q, k, v = self.to_q(seq), self.to_k(seq), self.to_v(seq)
        d = c // self.heads

        def split(t):
            return t.reshape(n, h * w, self.heads, d).transpose(1, 2)

        q, k, v = split(q), split(k), split(v)
        p = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d), dim=-1)
        o = (p @ v).transpose(1, 2).reshape(n, h * w, c)
        o = self.to_out[1](self.to_out[0](o))
        return x + o.transpose(1, 2).reshape(n, c, h, w)


class Downsample2D(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, stride=2, padding=1)

    def forward(self, x):
        return self.conv(x)


class Upsample2D(nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.conv = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2.0, mode="nearest"))


class DownBlock2D(nn.Module):
    """DownBlock2D, or AttnDownBlock2D when `attention`."""

    def __init__(self, cfg: UNet2DConfig, cin: int, cout: int,
                 attention: bool, downsample: bool):
        super().__init__()
        g, eps, temb = cfg.norm_groups, cfg.norm_eps, cfg.temb_dim()
        self.resnets = nn.ModuleList([
            ResnetBlock2D(cin if i == 0 else cout, cout, temb, g, eps)
            for i in range(cfg.layers_per_block)])
        head = cfg.attention_head_dim or cout
        self.attentions = nn.ModuleList([
            Attention(cout, head, g, eps)
            for _ in range(cfg.layers_per_block)]) if attention else None
        self.downsamplers = nn.ModuleList(
            [Downsample2D(cout)]) if downsample else None

    def forward(self, x, emb):
        skips = []
        for i, resnet in enumerate(self.resnets):
            x = resnet(x, emb)
            if self.attentions is not None:
                x = self.attentions[i](x)
            skips.append(x)
        if self.downsamplers is not None:
            x = self.downsamplers[0](x)
            skips.append(x)
        return x, skips


class UpBlock2D(nn.Module):
    """UpBlock2D, or AttnUpBlock2D when `attention`."""

    def __init__(self, cfg: UNet2DConfig, cin: int, cout: int, cprev: int,
                 attention: bool, upsample: bool):
        super().__init__()
        g, eps, temb = cfg.norm_groups, cfg.norm_eps, cfg.temb_dim()
        n = cfg.layers_per_block + 1
        self.resnets = nn.ModuleList()
        for i in range(n):
            skip = cin if i == n - 1 else cout
            rin = cprev if i == 0 else cout
            self.resnets.append(ResnetBlock2D(rin + skip, cout, temb, g, eps))
        head = cfg.attention_head_dim or cout
        self.attentions = nn.ModuleList([
            Attention(cout, head, g, eps) for _ in range(n)]) if attention else None
        self.upsamplers = nn.ModuleList(
            [Upsample2D(cout)]) if upsample else None

    def forward(self, x, skips, emb):
        for i, resnet in enumerate(self.resnets):
            x = resnet(torch.cat([x, skips.pop()], dim=1), emb)
            if self.attentions is not None:
                x = self.attentions[i](x)
        if self.upsamplers is not None:
            x = self.upsamplers[0](x)
        return x


class UNetMidBlock2D(nn.Module):
    def __init__(self, cfg: UNet2DConfig, channels: int):
        super().__init__()
        g, eps, temb = cfg.norm_groups, cfg.norm_eps, cfg.temb_dim()
        self.resnets = nn.ModuleList([
            ResnetBlock2D(channels, channels, temb, g, eps) for _ in range(2)])
        self.attentions = nn.ModuleList([
            Attention(channels, cfg.attention_head_dim or channels, g, eps)])

    def forward(self, x, emb):
        x = self.resnets[0](x, emb)
        x = self.attentions[0](x)
        return self.resnets[1](x, emb)


class UNet2D(nn.Module):
    """diffusers' UNet2DModel for the zoo's configurations."""

    def __init__(self, cfg: UNet2DConfig):
        super().__init__()
        self.cfg = cfg
        chans = cfg.block_out_channels()
        temb = cfg.temb_dim()
        self.time_embedding = TimestepEmbedding(chans[0], temb)
        if cfg.num_classes > 0:
            self.class_embedding = nn.Embedding(cfg.num_classes + 1, temb)
        self.conv_in = nn.Conv2d(cfg.in_channels, chans[0], 3, padding=1)

        levels = len(chans)
        self.down_blocks = nn.ModuleList()
        cout = chans[0]
        for i in range(levels):
            cin, cout = cout, chans[i]
            res = cfg.sample_size >> i
            self.down_blocks.append(DownBlock2D(
                cfg, cin, cout, res in cfg.attention_resolutions,
                downsample=i != levels - 1))

        self.mid_block = UNetMidBlock2D(cfg, chans[-1])

        rev = list(reversed(chans))
        self.up_blocks = nn.ModuleList()
        cout = rev[0]
        for i in range(levels):
            cprev, cout = cout, rev[i]
            cin = rev[min(i + 1, levels - 1)]
            res = cfg.sample_size >> (levels - 1 - i)
            self.up_blocks.append(UpBlock2D(
                cfg, cin, cout, cprev, res in cfg.attention_resolutions,
                upsample=i != levels - 1))

        self.conv_norm_out = nn.GroupNorm(cfg.norm_groups, chans[0],
                                          eps=cfg.norm_eps)
        self.conv_out = nn.Conv2d(chans[0], cfg.out_channels, 3, padding=1)

    def forward(self, sample, timestep, class_labels=None):
        cfg = self.cfg
        t = timestep_embedding(timestep, cfg.block_out_channels()[0],
                               cfg.flip_sin_to_cos, cfg.freq_shift,
                               dtype=self.conv_in.weight.dtype)
        emb = self.time_embedding(t)
        if cfg.num_classes > 0:
            emb = emb + self.class_embedding(class_labels)
        x = self.conv_in(sample)
        skips = [x]
        for block in self.down_blocks:
            x, s = block(x, emb)
            skips += s
        x = self.mid_block(x, emb)
        for block in self.up_blocks:
            n = len(block.resnets)
            x = block(x, skips[-n:], emb)
            del skips[-n:]
        return self.conv_out(F.silu(self.conv_norm_out(x)))


def flops_per_sample(model: UNet2D) -> int:
    """2 x multiply-adds of convolutions, linears and attention products."""
    total = 0

    def conv_hook(m, inp, out):
        nonlocal total
        total += out.numel() * (m.weight.numel() // m.weight.shape[0])

    def linear_hook(m, inp, out):
        nonlocal total
        total += out.numel() * m.in_features

    def attn_hook(m, inp, out):
        nonlocal total
        n, c, h, w = inp[0].shape
        total += 2 * n * (h * w) * (h * w) * c

    for m in model.modules():
        if isinstance(m, nn.Conv2d):
            m.register_forward_hook(conv_hook)
        elif isinstance(m, nn.Linear):
            m.register_forward_hook(linear_hook)
        elif isinstance(m, Attention):
            m.register_forward_hook(attn_hook)
    cfg = model.cfg
    x = torch.zeros(1, cfg.in_channels, cfg.sample_size, cfg.sample_size)
    t = torch.zeros(1, dtype=torch.int64)
    y = torch.zeros(1, dtype=torch.int64) if cfg.num_classes else None
    with torch.no_grad():
        model(x, t, y)
    return 2 * total


def write_safetensors(path: str, tensors) -> None:
    """Writes {name: float32 tensor} in the safetensors format (no package
    needed): u64 header size, JSON header, 8-byte aligned, then the data."""
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape),
                        "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)


def write_case(model: UNet2D, directory: str, batch: int, seed: int) -> None:
    """Seeded weights and inputs plus the float64 reference output."""
    import numpy as np
    cfg = model.cfg
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in model.parameters():
            # Default inits leave norms at 1 / 0; perturb every vector so a
            # swapped norm1 / norm2 or bias would show in the output.
            if p.dim() == 1:
                p.add_(0.1 * torch.randn(p.shape, generator=gen))
    x = torch.randn(batch, cfg.in_channels, cfg.sample_size, cfg.sample_size,
                    generator=gen)
    t = torch.randint(0, 1000, (batch,), generator=gen)
    y = None
    if cfg.num_classes:
        # Random labels, the last one the null class (row num_classes).
        y = torch.randint(0, cfg.num_classes, (batch,), generator=gen)
        y[-1] = cfg.num_classes
    os.makedirs(directory, exist_ok=True)
    write_safetensors(os.path.join(directory, "weights.safetensors"),
                      model.state_dict())
    np.save(os.path.join(directory, "sample.npy"), x.numpy())
    np.save(os.path.join(directory, "timestep.npy"), t.numpy())
    if y is not None:
        np.save(os.path.join(directory, "class_labels.npy"), y.numpy())
    with torch.no_grad():
        want = model.double()(x.double(), t, y)
    np.save(os.path.join(directory, "expected.npy"), want.numpy())


def compare(expected: str, got: str, rtol: float) -> int:
    """Norm-wise relative error max |got - want| / max |want|."""
    import numpy as np
    want, have = np.load(expected), np.load(got)
    if want.shape != have.shape:
        print(f"FAIL: shape {have.shape} vs expected {want.shape}")
        return 1
    err = float(np.max(np.abs(have.astype(np.float64) - want)) /
                max(np.max(np.abs(want)), 1e-30))
    ok = bool(np.all(np.isfinite(have))) and err <= rtol
    print(f"{'ok' if ok else 'FAIL'}: max rel error {err:.1e} "
          f"(tolerance {rtol:.0e}) over shape {list(want.shape)}")
    return 0 if ok else 1


def config_from_args(args) -> UNet2DConfig:
    cfg = PRESETS[args.preset]()
    for key in ("sample_size", "in_channels", "out_channels", "base_channels",
                "layers_per_block", "norm_groups", "time_embed_dim",
                "attention_head_dim", "num_classes"):
        value = getattr(args, key)
        if value is not None:
            setattr(cfg, key, value)
    if args.out_channels is None and args.in_channels is not None:
        cfg.out_channels = args.in_channels
    for key in ("channel_mult", "attention_resolutions"):
        value = getattr(args, key)
        if value is not None:
            setattr(cfg, key, [int(v) for v in value.split(",") if v])
    return cfg


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", choices=sorted(PRESETS), default="fmnist_small")
    for key in ("sample_size", "in_channels", "out_channels", "base_channels",
                "layers_per_block", "norm_groups", "time_embed_dim",
                "attention_head_dim", "num_classes"):
        p.add_argument("--" + key.replace("_", "-"), type=int)
    p.add_argument("--channel-mult")
    p.add_argument("--attention-resolutions")
    p.add_argument("--print-state-dict", action="store_true",
                   help="print 'name AxBxC' per state-dict tensor")
    p.add_argument("--summary", action="store_true",
                   help="print the parameter count and GFLOP per sample")
    p.add_argument("--write-case", metavar="DIR",
                   help="write weights, inputs and the float64 output")
    p.add_argument("--batch", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--compare", nargs=2, metavar=("EXPECTED", "GOT"),
                   help="compare two .npy outputs and exit")
    p.add_argument("--rtol", type=float, default=1e-4)
    args = p.parse_args(argv)

    if args.compare:
        return compare(args.compare[0], args.compare[1], args.rtol)
    model = UNet2D(config_from_args(args))
    if args.write_case:
        write_case(model, args.write_case, args.batch, args.seed)
        return 0
    if args.print_state_dict:
        for name, t in model.state_dict().items():
            print(name, "x".join(str(d) for d in t.shape))
    if args.summary or not args.print_state_dict:
        params = sum(t.numel() for t in model.parameters())
        print(f"parameters {params:,}")
        print(f"GFLOP/sample {flops_per_sample(model) / 1e9:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

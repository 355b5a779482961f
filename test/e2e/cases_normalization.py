"""End-to-end cases of group_norm and layer_norm (normalization.mlir)."""

import numpy as np

import reference as ref
from cases import case, rand


def _affine(rng, c, dtype=np.float32):
    return (1.0 + 0.5 * rand(rng, c)).astype(dtype), rand(rng, c).astype(dtype)


def _silu(v):
    return v * ref.sigmoid(v)


@case("group_norm_silu")
def group_norm_silu():
    rng = np.random.default_rng(101)
    x, (g, b) = rand(rng, 3, 6, 5, 7), _affine(rng, 6)
    return [x, g, b], [_silu(ref.group_norm(x, g, b, 3, 1e-6))], 1e-5


@case("group_norm_rank3")
def group_norm_rank3():
    rng = np.random.default_rng(102)
    x, (g, b) = rand(rng, 2, 15, 9, scale=3.0), _affine(rng, 15)
    return [x, g, b], [ref.group_norm(x, g, b, 5)], 1e-5


@case("group_norm_one_group")
def group_norm_one_group():
    rng = np.random.default_rng(103)
    x, (g, b) = rand(rng, 1, 10, 3, 3), _affine(rng, 10)
    return [x, g, b], [ref.group_norm(x, g, b, 1)], 1e-5


@case("group_norm_dynamic_channels")
def group_norm_dynamic_channels():
    rng = np.random.default_rng(104)
    x, (g, b) = rand(rng, 2, 6, 5, 7), _affine(rng, 6)
    return [x, g, b], [_silu(ref.group_norm(x, g, b, 2))], 1e-5


@case("group_norm_offset_mean")
def group_norm_offset_mean():
    # |mean| >> std: E[x^2] - E[x]^2 would lose most digits here.
    rng = np.random.default_rng(105)
    x = (20.0 + 0.5 * rng.standard_normal((2, 4, 6, 6))).astype(np.float32)
    g, b = _affine(rng, 4)
    return [x, g, b], [ref.group_norm(x, g, b, 2)], 1e-5


@case("group_norm_f16")
def group_norm_f16():
    # f16 storage, f32 statistics: one f16 rounding of the result (2^-11).
    rng = np.random.default_rng(106)
    x = rand(rng, 2, 12, 5, 3).astype(np.float16)
    g, b = _affine(rng, 12, np.float16)
    return [x, g, b], [_silu(ref.group_norm(x, g, b, 4, 1e-6))], 2e-3


@case("layer_norm_silu")
def layer_norm_silu():
    rng = np.random.default_rng(107)
    x, (g, b) = rand(rng, 3, 7, 33, scale=2.0), _affine(rng, 33)
    return [x, g, b], [_silu(ref.layer_norm(x, g, b))], 1e-5


@case("layer_norm_rank1")
def layer_norm_rank1():
    rng = np.random.default_rng(108)
    x, (g, b) = rand(rng, 19), _affine(rng, 19)
    return [x, g, b], [ref.layer_norm(x, g, b, 1e-3)], 1e-5


@case("layer_norm_f64")
def layer_norm_f64():
    rng = np.random.default_rng(109)
    x = rng.standard_normal((4, 3, 10))
    g, b = 1.0 + 0.5 * rng.standard_normal(10), rng.standard_normal(10)
    return [x, g, b], [ref.layer_norm(x, g, b)], 1e-12

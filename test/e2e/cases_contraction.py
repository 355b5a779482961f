"""End-to-end cases of linear, matmul, conv2d, conv3d and attention: odd
extents, strides, padding, dilation, groups, dynamic batch, cross-attention
and both kinds of masks, against the float64 references of reference.py."""

import numpy as np

import reference as ref
from cases import case, rand

TOL = 1e-5


def _rng(seed):
    return np.random.default_rng(100 + seed)


# -- linear and matmul --------------------------------------------------------

@case("linear_bias")
def linear_bias():
    rng = _rng(1)
    x, w, b = rand(rng, 3, 7, 5), rand(rng, 9, 5), rand(rng, 9)
    return [x, w, b], [ref.linear(x, w, b)], TOL


@case("linear_vector")
def linear_vector():
    rng = _rng(2)
    x, w = rand(rng, 5), rand(rng, 4, 5)
    return [x, w], [ref.linear(x, w)], TOL


@case("linear_wide")
def linear_wide():
    # More than one K block (300 > 256) and N past one 16-column panel.
    rng = _rng(3)
    x, w, b = rand(rng, 13, 300), rand(rng, 37, 300), rand(rng, 37)
    return [x, w, b], [ref.linear(x, w, b)], TOL


@case("matmul_2d")
def matmul_2d():
    rng = _rng(4)
    a, b = rand(rng, 7, 5), rand(rng, 5, 6)
    return [a, b], [ref.matmul(a, b)], TOL


@case("matmul_batched")
def matmul_batched():
    rng = _rng(5)
    a, b = rand(rng, 2, 3, 7, 5), rand(rng, 2, 3, 5, 4)
    return [a, b], [ref.matmul(a, b)], TOL


@case("matmul_rhs_2d")
def matmul_rhs_2d():
    rng = _rng(6)
    a, b = rand(rng, 2, 3, 7, 5), rand(rng, 5, 6)
    return [a, b], [ref.matmul(a, b)], TOL


@case("matmul_broadcast")
def matmul_broadcast():
    rng = _rng(7)
    a, b = rand(rng, 2, 1, 4, 5), rand(rng, 3, 5, 6)
    return [a, b], [ref.matmul(a, b)], TOL


# -- convolutions ---------------------------------------------------------------

@case("conv2d_same")
def conv2d_same():
    rng = _rng(10)
    x, w, b = rand(rng, 3, 3, 7, 5), rand(rng, 4, 3, 3, 3), rand(rng, 4)
    return [x, w, b], [ref.conv_nd(x, w, b, padding=(1, 1))], TOL


@case("conv2d_stride2_pad1")
def conv2d_stride2_pad1():
    rng = _rng(11)
    x, w, b = rand(rng, 2, 4, 9, 8), rand(rng, 6, 4, 3, 3), rand(rng, 6)
    return [x, w, b], [ref.conv_nd(x, w, b, stride=(2, 2), padding=(1, 1))], TOL


@case("conv2d_dilation2")
def conv2d_dilation2():
    rng = _rng(12)
    x, w = rand(rng, 1, 3, 11, 10), rand(rng, 5, 3, 3, 3)
    return [x, w], [ref.conv_nd(x, w, dilation=(2, 2))], TOL


@case("conv2d_groups2")
def conv2d_groups2():
    rng = _rng(13)
    x, w, b = rand(rng, 2, 4, 7, 5), rand(rng, 6, 2, 3, 3), rand(rng, 6)
    return [x, w, b], [ref.conv_nd(x, w, b, padding=(1, 1), groups=2)], TOL


@case("conv2d_pointwise")
def conv2d_pointwise():
    rng = _rng(14)
    x, w, b = rand(rng, 2, 8, 5, 7), rand(rng, 3, 8, 1, 1), rand(rng, 3)
    return [x, w, b], [ref.conv_nd(x, w, b)], TOL


@case("conv2d_unet_block")
def conv2d_unet_block():
    # 64 channels x 3x3 = K 576 (three K blocks), 16 output channels.
    rng = _rng(15)
    x, w, b = rand(rng, 2, 64, 14, 14), rand(rng, 16, 64, 3, 3, scale=0.1), rand(rng, 16)
    return [x, w, b], [ref.conv_nd(x, w, b, padding=(1, 1))], TOL


@case("conv3d_temporal")
def conv3d_temporal():
    rng = _rng(20)
    x, w, b = rand(rng, 2, 4, 5, 6, 7), rand(rng, 3, 4, 3, 1, 1), rand(rng, 3)
    return [x, w, b], [ref.conv_nd(x, w, b, padding=(1, 0, 0))], TOL


@case("conv3d_stride2")
def conv3d_stride2():
    rng = _rng(21)
    x, w = rand(rng, 1, 3, 6, 7, 5), rand(rng, 4, 3, 3, 3, 3)
    return [x, w], [ref.conv_nd(x, w, stride=(2, 2, 2), padding=(1, 1, 1))], TOL


@case("conv3d_groups2_dilation")
def conv3d_groups2_dilation():
    rng = _rng(22)
    x, w, b = rand(rng, 1, 4, 7, 5, 6), rand(rng, 6, 2, 2, 3, 2), rand(rng, 6)
    return [x, w, b], [ref.conv_nd(x, w, b, padding=(0, 1, 1), dilation=(2, 1, 2),
                                   groups=2)], TOL


# -- attention ------------------------------------------------------------------

@case("attention_self_heads")
def attention_self_heads():
    rng = _rng(30)
    x = rand(rng, 2, 9, 8)
    return [x], [ref.attention(x, x, x, num_heads=2)], TOL


@case("attention_cross")
def attention_cross():
    rng = _rng(31)
    q, k, v = rand(rng, 2, 7, 8), rand(rng, 2, 5, 8), rand(rng, 2, 5, 6)
    return [q, k, v], [ref.attention(q, k, v, num_heads=2, scale=0.3)], TOL


@case("attention_bool_mask")
def attention_bool_mask():
    rng = _rng(32)
    q, k, v = rand(rng, 2, 7, 8), rand(rng, 2, 5, 8), rand(rng, 2, 5, 6)
    mask = rng.standard_normal((2, 1, 5)) > 0
    mask[..., 0] = True  # no row masked out entirely
    return [q, k, v, mask], [ref.attention(q, k, v, num_heads=2, mask=mask)], TOL


@case("attention_float_mask")
def attention_float_mask():
    rng = _rng(33)
    q, k, v = rand(rng, 2, 7, 8), rand(rng, 2, 5, 8), rand(rng, 2, 5, 12)
    mask = rand(rng, 1, 7, 5)
    return [q, k, v, mask], [ref.attention(q, k, v, num_heads=4, mask=mask)], TOL


@case("attention_dynamic_batch")
def attention_dynamic_batch():
    rng = _rng(34)
    q, k, v = rand(rng, 3, 6, 4), rand(rng, 3, 11, 4), rand(rng, 3, 11, 5)
    return [q, k, v], [ref.attention(q, k, v)], TOL


# -- float64: the same lowerings through generated loops ---------------------------
# The runtime's kernels take f32 only, so f64 programs exercise the linalg
# lowering itself (convert-linalg-to-loops), checked to 1e-12.

def _f64(*arrays):
    return [np.asarray(a, dtype=np.float64) for a in arrays]


@case("linear_f64")
def linear_f64():
    rng = _rng(40)
    x, w, b = _f64(rand(rng, 3, 7, 5), rand(rng, 9, 5), rand(rng, 9))
    return [x, w, b], [ref.linear(x, w, b)], 1e-12


@case("matmul_batched_f64")
def matmul_batched_f64():
    rng = _rng(41)
    a, b = _f64(rand(rng, 2, 3, 7, 5), rand(rng, 2, 3, 5, 4))
    return [a, b], [ref.matmul(a, b)], 1e-12


@case("conv2d_groups_stride_f64")
def conv2d_groups_stride_f64():
    rng = _rng(42)
    x, w, b = _f64(rand(rng, 2, 4, 9, 7), rand(rng, 6, 2, 3, 3), rand(rng, 6))
    return [x, w, b], [ref.conv_nd(x, w, b, stride=(2, 2), padding=(1, 1),
                                   dilation=(1, 2), groups=2)], 1e-12


@case("conv3d_f64")
def conv3d_f64():
    rng = _rng(43)
    x, w, b = _f64(rand(rng, 1, 3, 5, 6, 7), rand(rng, 4, 3, 3, 3, 1), rand(rng, 4))
    return [x, w, b], [ref.conv_nd(x, w, b, padding=(1, 1, 0))], 1e-12


@case("attention_mask_f64")
def attention_mask_f64():
    rng = _rng(44)
    q, k, v = _f64(rand(rng, 2, 7, 8), rand(rng, 2, 5, 8), rand(rng, 2, 5, 6))
    mask = rng.standard_normal((2, 7, 5)) > 0
    mask[..., 2] = True
    return [q, k, v, mask], [ref.attention(q, k, v, num_heads=2, mask=mask)], 1e-12

"""End-to-end cases of concat, slice, reshape, transpose, upsample_nearest
and avg_pool2d (data-movement.mlir). Moves are exact: tolerance 0."""

import numpy as np

import reference as ref
from cases import case, rand


@case("concat_channels_silu")
def concat_channels_silu():
    rng = np.random.default_rng(301)
    a, b = rand(rng, 3, 3, 5, 7), rand(rng, 3, 4, 5, 7)
    va = ref.f64(a)
    return [a, b], [np.concatenate([va * ref.sigmoid(va), ref.f64(b)], axis=1)], 1e-6


@case("concat_last_three")
def concat_last_three():
    rng = np.random.default_rng(302)
    a, b, c = rand(rng, 2, 3, 1), rand(rng, 2, 3, 4), rand(rng, 2, 3, 2)
    return [a, b, c], [np.concatenate([a, b, c], axis=-1)], 0.0


@case("slice_strided_rest")
def slice_strided_rest():
    rng = np.random.default_rng(303)
    x = rand(rng, 3, 6, 5, 7)
    return [x], [x[:, 1:6:2, 1:5, 0:7:2], x[1:, 4:, 0:, 5:]], 0.0


@case("slice_cfg_halves")
def slice_cfg_halves():
    rng = np.random.default_rng(304)
    x = rand(rng, 4, 3, 5, 5)
    return [x], [x[:2], x[2:]], 0.0


@case("reshape_regroup")
def reshape_regroup():
    rng = np.random.default_rng(305)
    x = rand(rng, 3, 6, 5, 7)
    return [x], [x.reshape(3, 6, 35), x.reshape(3, 2, 3, 5, 7),
                 np.exp(ref.f64(x)).reshape(3, 210, 1)], 1e-6


@case("reshape_mixed")
def reshape_mixed():
    rng = np.random.default_rng(306)
    x, y = rand(rng, 2, 6, 4), rand(rng, 5, 6)
    return [x, y], [x.reshape(2, 4, 6), y.reshape(2, 15)], 0.0


@case("reshape_batch_moves")
def reshape_batch_moves():
    rng = np.random.default_rng(307)
    x = rand(rng, 6, 5)
    return [x], [x.reshape(5, 6)], 0.0


@case("transpose_dims")
def transpose_dims():
    rng = np.random.default_rng(308)
    x, y = rand(rng, 3, 5, 7), rand(rng, 2, 3, 5, 7)
    return [x, y], [x.transpose(0, 2, 1), y.transpose(0, 2, 3, 1)], 0.0


@case("upsample_nearest_2x")
def upsample_nearest_2x():
    rng = np.random.default_rng(309)
    x = rand(rng, 2, 3, 5, 7)
    return [x], [ref.upsample_nearest(x, 2, 2)], 0.0


@case("upsample_nearest_3x1")
def upsample_nearest_3x1():
    rng = np.random.default_rng(310)
    x = rand(rng, 2, 2, 3, 4)
    return [x], [ref.upsample_nearest(x, 3, 1)], 0.0


@case("avg_pool_2x2")
def avg_pool_2x2():
    rng = np.random.default_rng(311)
    x = rand(rng, 3, 3, 7, 9)
    return [x], [ref.avg_pool2d(x, (2, 2), (2, 2))], 1e-6


@case("avg_pool_padded")
def avg_pool_padded():
    rng = np.random.default_rng(312)
    x = rand(rng, 2, 3, 7, 9)
    return [x], [ref.avg_pool2d(x, (3, 3), (2, 2), (1, 1)),
                 ref.avg_pool2d(x, (3, 2), (1, 2), (1, 0))], 1e-6


@case("avg_pool_f16")
def avg_pool_f16():
    rng = np.random.default_rng(313)
    x = rand(rng, 2, 5, 6, 6).astype(np.float16)
    return [x], [ref.avg_pool2d(x, (2, 2), (2, 2))], 1e-3

"""Gradient cases of layout and resampling ops (gradients-data-movement.mlir):
loss = sum(op(x, ...) * r) for a random cotangent r, differentiated by
diffc-autodiff, against finite differences of the float64 reference.
Entries with a `?` batch run here with concrete batch sizes."""

import numpy as np

import reference as ref
from cases import case
from gradcheck import grad_case


def r64(rng, *shape):
    return rng.standard_normal(shape)


def _one(seed, fn, xshape, yshape):
    rng = np.random.default_rng(seed)
    x, r = r64(rng, *xshape), r64(rng, *yshape)
    return grad_case(lambda x, r: np.sum(fn(x) * r), [x, r], [0])


@case("reshape_grad")
def grad_reshape():
    return _one(101, lambda x: x.reshape(6, 4), (2, 3, 4), (6, 4))


@case("reshape_dynamic_grad")
def grad_reshape_dynamic():
    return _one(102, lambda x: x.reshape(x.shape[0], 12), (3, 3, 4), (3, 12))


@case("transpose_grad")
def grad_transpose():
    return _one(103, lambda x: x.transpose(2, 0, 1), (2, 3, 4), (4, 2, 3))


@case("concat_grad")
def grad_concat():
    rng = np.random.default_rng(104)
    a, b, c = r64(rng, 2, 3, 4), r64(rng, 2, 1, 4), r64(rng, 2, 2, 4)
    r = r64(rng, 2, 6, 4)
    return grad_case(lambda a, b, c, r: np.sum(np.concatenate([a, b, c], 1) * r),
                     [a, b, c, r], [0, 1, 2])


@case("concat_dynamic_grad")
def grad_concat_dynamic():
    rng = np.random.default_rng(105)
    a, b, r = r64(rng, 3, 3, 4), r64(rng, 3, 2, 4), r64(rng, 3, 5, 4)
    return grad_case(lambda a, b, r: np.sum(np.concatenate([a, b], -2) * r),
                     [a, b, r], [0, 1])


@case("concat_batch_grad")
def grad_concat_batch():
    # Along the dynamic batch: the last piece takes the rest.
    rng = np.random.default_rng(106)
    a, b, r = r64(rng, 2, 3), r64(rng, 3, 3), r64(rng, 5, 3)
    return grad_case(lambda a, b, r: np.sum(np.concatenate([a, b], 0) * r),
                     [a, b, r], [0, 1])


@case("slice_grad")
def grad_slice():
    return _one(107, lambda x: x[1:3, :, 2:5], (4, 5, 6), (2, 5, 3))


@case("slice_dynamic_grad")
def grad_slice_dynamic():
    return _one(108, lambda x: x[:, 1:5], (3, 6), (3, 4))


@case("slice_batch_grad")
def grad_slice_batch():
    # A static window of the dynamic batch: zeros before and after it.
    return _one(109, lambda x: x[1:3, 2:], (5, 6), (2, 4))


@case("slice_strided_grad")
def grad_slice_strided():
    return _one(110, lambda x: x[1:4:2, 0:7:3], (5, 7), (2, 3))


@case("slice_strided_dynamic_grad")
def grad_slice_strided_dynamic():
    return _one(111, lambda x: x[:, 1:2, 1:6:2], (2, 3, 8), (2, 1, 3))


@case("upsample_grad")
def grad_upsample():
    return _one(112, lambda x: ref.upsample_nearest(x, 2, 3), (2, 3, 2, 3), (2, 3, 4, 9))


@case("upsample_dynamic_grad")
def grad_upsample_dynamic():
    return _one(113, lambda x: ref.upsample_nearest(x, 2, 2), (3, 2, 3, 2), (3, 2, 6, 4))


@case("avg_pool_grad")
def grad_avg_pool():
    return _one(114, lambda x: ref.avg_pool2d(x, (2, 2), (2, 2)), (2, 2, 4, 6), (2, 2, 2, 3))


@case("avg_pool_dynamic_grad")
def grad_avg_pool_dynamic():
    return _one(115, lambda x: ref.avg_pool2d(x, (2, 2), (2, 2)), (3, 2, 4, 4), (3, 2, 2, 2))


@case("avg_pool_floor_grad")
def grad_avg_pool_floor():
    # The last row and column are in no window: zero gradient.
    return _one(116, lambda x: ref.avg_pool2d(x, (2, 3), (2, 3)), (1, 2, 5, 7), (1, 2, 2, 2))


@case("avg_pool_padded_grad")
def grad_avg_pool_padded():
    return _one(117, lambda x: ref.avg_pool2d(x, (2, 2), (2, 2), (1, 1)), (1, 1, 5, 6),
                (1, 1, 3, 4))


@case("avg_pool_overlap_grad")
def grad_avg_pool_overlap():
    # Overlapping windows: the depthwise convolution's input gradient.
    return _one(118, lambda x: ref.avg_pool2d(x, (3, 3), (2, 2), (1, 1)), (2, 2, 5, 5),
                (2, 2, 3, 3))


@case("avg_pool_overlap_f32_grad")
def grad_avg_pool_overlap_f32():
    # The same in float32: the depthwise input gradient through the
    # runtime's convolution-gradient kernel.
    rng = np.random.default_rng(119)
    x = rng.standard_normal((2, 2, 5, 5)).astype(np.float32)
    r = rng.standard_normal((2, 2, 3, 3)).astype(np.float32)
    return grad_case(lambda x, r: np.sum(ref.avg_pool2d(x, (3, 3), (2, 2), (1, 1)) * r),
                     [x, r], [0], rtol=1e-5)

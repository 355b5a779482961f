"""Gradient cases of group_norm, layer_norm and softmax
(gradients-normalization.mlir): loss = sum(op(x, ...) * r) for a random
cotangent r, differentiated by diffc-autodiff, against finite differences
of the float64 reference."""

import numpy as np

import reference as ref
from cases import case
from gradcheck import grad_case


def r64(rng, *shape):
    return rng.standard_normal(shape)


def _group_norm(seed, xshape, groups, eps):
    rng = np.random.default_rng(seed)
    c = xshape[1]
    x, g, b, r = r64(rng, *xshape), r64(rng, c), r64(rng, c), r64(rng, *xshape)
    return grad_case(lambda x, g, b, r: np.sum(ref.group_norm(x, g, b, groups, eps) * r),
                     [x, g, b, r], [0, 1, 2])


def _layer_norm(seed, xshape):
    rng = np.random.default_rng(seed)
    d = xshape[-1]
    x, g, b, r = r64(rng, *xshape), r64(rng, d), r64(rng, d), r64(rng, *xshape)
    return grad_case(lambda x, g, b, r: np.sum(ref.layer_norm(x, g, b) * r),
                     [x, g, b, r], [0, 1, 2])


def _softmax(seed, xshape, axis):
    rng = np.random.default_rng(seed)
    x, r = r64(rng, *xshape), r64(rng, *xshape)
    return grad_case(lambda x, r: np.sum(ref.softmax(x, axis) * r), [x, r], [0])


@case("group_norm_grad")
def grad_group_norm():
    return _group_norm(201, (2, 4, 3, 3), 2, 1e-5)


@case("group_norm_dynamic_grad")
def grad_group_norm_dynamic():
    return _group_norm(202, (3, 6, 2, 2), 3, 1e-6)


@case("group_norm_rank3_grad")
def grad_group_norm_rank3():
    # One channel per group, no spatial dimensions beyond one.
    return _group_norm(203, (2, 4, 5), 4, 1e-5)


@case("layer_norm_grad")
def grad_layer_norm():
    return _layer_norm(204, (2, 3, 5))


@case("layer_norm_dynamic_grad")
def grad_layer_norm_dynamic():
    return _layer_norm(205, (3, 6))


@case("softmax_grad")
def grad_softmax():
    return _softmax(206, (3, 5), -1)


@case("softmax_axis1_grad")
def grad_softmax_axis1():
    return _softmax(207, (2, 4, 3), 1)


@case("softmax_dynamic_grad")
def grad_softmax_dynamic():
    return _softmax(208, (4, 5), 1)

"""Gradient cases of linear, matmul and conv2d (gradients-contraction.mlir):
loss = sum(op(x, w, ...) * r) for a random cotangent r, differentiated by
diffc-autodiff, against finite differences of the float64 reference."""

import numpy as np

import reference as ref
from cases import case
from gradcheck import grad_case


def r64(rng, *shape):
    return rng.standard_normal(shape)


def _linear(seed, xshape, out, bias=True):
    rng = np.random.default_rng(seed)
    x, w = r64(rng, *xshape), r64(rng, out, xshape[-1])
    r = r64(rng, *xshape[:-1], out)
    if not bias:
        return grad_case(lambda x, w, r: np.sum(ref.linear(x, w) * r), [x, w, r], [0, 1])
    b = r64(rng, out)
    return grad_case(lambda x, w, b, r: np.sum(ref.linear(x, w, b) * r),
                     [x, w, b, r], [0, 1, 2])


def _matmul(seed, ashape, bshape):
    rng = np.random.default_rng(seed)
    a, b = r64(rng, *ashape), r64(rng, *bshape)
    r = r64(rng, *np.matmul(a, b).shape)
    return grad_case(lambda a, b, r: np.sum(ref.matmul(a, b) * r), [a, b, r], [0, 1])


def _conv(seed, xshape, wshape, bias=True, **kw):
    rng = np.random.default_rng(seed)
    x, w = r64(rng, *xshape), r64(rng, *wshape)
    r = r64(rng, *ref.conv_nd(x, w, **kw).shape)
    if not bias:
        return grad_case(lambda x, w, r: np.sum(ref.conv_nd(x, w, **kw) * r),
                         [x, w, r], [0, 1])
    b = r64(rng, wshape[0])
    return grad_case(lambda x, w, b, r: np.sum(ref.conv_nd(x, w, b, **kw) * r),
                     [x, w, b, r], [0, 1, 2])


@case("linear_grad")
def grad_linear():
    return _linear(401, (3, 4), 5)


@case("linear_vector_grad")
def grad_linear_vector():
    return _linear(402, (4,), 3, bias=False)


@case("linear_rank3_grad")
def grad_linear_rank3():
    return _linear(403, (2, 3, 4), 5)


@case("linear_dynamic_grad")
def grad_linear_dynamic():
    return _linear(404, (5, 4), 3)


@case("linear_rank3_dynamic_grad")
def grad_linear_rank3_dynamic():
    # [?, L, in]: dW is a batched product summed over the batch.
    return _linear(405, (3, 3, 4), 2)


@case("matmul_grad")
def grad_matmul():
    return _matmul(406, (2, 3, 4), (4, 5))


@case("matmul_broadcast_lhs_grad")
def grad_matmul_broadcast_lhs():
    return _matmul(407, (3, 4), (2, 4, 5))


@case("matmul_broadcast_both_grad")
def grad_matmul_broadcast_both():
    return _matmul(408, (2, 1, 3, 4), (3, 4, 2))


@case("matmul_dynamic_grad")
def grad_matmul_dynamic():
    return _matmul(409, (3, 3, 4), (3, 4, 2))


@case("conv_grad")
def grad_conv():
    return _conv(410, (2, 3, 5, 5), (4, 3, 3, 3), padding=(1, 1))


@case("conv_stride2_grad")
def grad_conv_stride2():
    return _conv(411, (1, 2, 6, 5), (3, 2, 3, 3), bias=False, stride=(2, 2), padding=(1, 1))


@case("conv_groups_grad")
def grad_conv_groups():
    return _conv(412, (2, 4, 4, 4), (4, 2, 3, 3), groups=2)


@case("conv_dynamic_grad")
def grad_conv_dynamic():
    return _conv(413, (3, 2, 4, 4), (3, 2, 3, 3), padding=(2, 2), dilation=(2, 2))

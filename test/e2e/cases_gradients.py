"""Gradient cases of elementwise ops, reductions and losses
(gradients-elementwise.mlir): loss = sum(op(x, ...) * r) for a random
cotangent r, differentiated by diffc-autodiff, against finite differences
of the float64 reference."""

import numpy as np

import reference as ref
from cases import case
from gradcheck import grad_case


def r64(rng, *shape, scale=1.0):
    return scale * rng.standard_normal(shape)


def _unary(seed, fn, shape=(3, 5), positive=False):
    rng = np.random.default_rng(seed)
    x = r64(rng, *shape)
    if positive:
        x = np.abs(x) + 0.5
    r = r64(rng, *shape)
    return grad_case(lambda x, r: np.sum(fn(x) * r), [x, r], [0])


def _binary(seed, fn, ashape, bshape, positive=False):
    rng = np.random.default_rng(seed)
    a, b = r64(rng, *ashape), r64(rng, *bshape)
    if positive:
        a, b = np.abs(a) + 0.5, np.abs(b) + 0.5
    r = r64(rng, *np.broadcast_shapes(ashape, bshape))
    return grad_case(lambda a, b, r: np.sum(fn(a, b) * r), [a, b, r], [0, 1])


def _gelu_tanh(x):
    return 0.5 * x * (1 + np.tanh(np.sqrt(2 / np.pi) * (x + 0.044715 * x**3)))


@case("add_grad")
def grad_add():
    return _binary(1, np.add, (2, 3, 4), (3, 1))


@case("sub_grad")
def grad_sub():
    return _binary(2, np.subtract, (4,), (2, 3, 4))


@case("mul_grad")
def grad_mul():
    return _binary(3, np.multiply, (2, 3, 4), (1, 3, 1))


@case("div_grad")
def grad_div():
    return _binary(4, np.divide, (2, 3), (2, 3), positive=True)


@case("pow_grad")
def grad_pow():
    return _binary(5, np.power, (2, 3), (3,), positive=True)


@case("maximum_grad")
def grad_maximum():
    return _binary(6, np.maximum, (3, 4), (3, 4))


@case("minimum_grad")
def grad_minimum():
    return _binary(7, np.minimum, (3, 4), (4,))


@case("unary_grad")
def grad_unary():
    # exp, log, sqrt, rsqrt, tanh, sigmoid, silu, relu, abs, neg in one chain
    # of separately weighted terms.
    def f(x, r):
        p = np.abs(x) + 0.5
        terms = [np.exp(x), np.log(p), np.sqrt(p), 1 / np.sqrt(p), np.tanh(x),
                 ref.sigmoid(x), x * ref.sigmoid(x), np.maximum(x, 0), np.abs(x),
                 -x, np.clip(x, -0.5, 0.7), _gelu_tanh(x)]
        return sum(np.sum(t * r[i]) for i, t in enumerate(terms))
    rng = np.random.default_rng(8)
    x, r = r64(rng, 4, 6), r64(rng, 12, 4, 6)
    return grad_case(f, [x, r], [0])


@case("reduce_grad")
def grad_reduce():
    def f(x, r1, r2, r3):
        return (np.sum(np.sum(x, axis=(0, 2)) * r1)
                + np.sum(np.mean(x, axis=(1,), keepdims=True) * r2)
                + np.sum(np.max(x, axis=(2,)) * r3))
    rng = np.random.default_rng(9)
    x = r64(rng, 2, 3, 5)
    return grad_case(f, [x, r64(rng, 3), r64(rng, 2, 1, 5), r64(rng, 2, 3)], [0])


@case("losses_grad")
def grad_losses():
    def f(x, y, mu, lv, r):
        mse = ref.mse_loss(x, y, "mean") + ref.mse_loss(x, y, "sum") * 0.1
        mse_none = np.sum(ref.mse_loss(x, y, "none") * r)
        kl = ref.gaussian_kl(mu, lv, "mean")
        bce = ref.bce_with_logits(x, ref.sigmoid(y), "sum")
        hinge = (ref.hinge_loss(x, "real", "mean") + ref.hinge_loss(y, "fake", "sum")
                 + ref.hinge_loss(mu, "generator", "mean"))
        return mse + mse_none + kl + bce + hinge
    rng = np.random.default_rng(10)
    x, y, mu, lv = (r64(rng, 2, 7) for _ in range(4))
    return grad_case(f, [x, y, mu, lv, r64(rng, 2, 7)], [0, 1, 2, 3])


@case("dynamic_batch_grad")
def grad_dynamic_batch():
    # mean over a dynamic batch: the element count is computed at run time.
    def f(x, w):
        return np.mean(x * ref.sigmoid(x * w)) + ref.mse_loss(x * w, x, "mean")
    rng = np.random.default_rng(11)
    return grad_case(f, [r64(rng, 5, 4), r64(rng, 4)], [0, 1])


@case("unused_grad")
def grad_unused():
    # y reaches the loss only through stop_gradient: its gradient is zero.
    def f(x, y):
        return np.sum(x * y)
    rng = np.random.default_rng(12)
    inputs, expected, tol = grad_case(f, [r64(rng, 3), r64(rng, 3)], [0])
    return inputs, expected + [np.zeros(3)], tol

"""Gradient cases of diffc.attention (gradients-attention.mlir): loss =
sum(attention(q, k, v, mask) * r) for a random cotangent r, differentiated
by diffc-autodiff, against finite differences of the float64 reference.
A float mask is differentiated too; an i1 mask is not."""

import numpy as np

import reference as ref
from cases import case
from gradcheck import grad_case


def r64(rng, *shape):
    return rng.standard_normal(shape)


def _attention(seed, b, lq, lk, e, ev, heads, scale=None, mask=None):
    """mask: None, ('f64', shape) or ('i1', shape)."""
    rng = np.random.default_rng(seed)
    q, k, v = r64(rng, b, lq, e), r64(rng, b, lk, e), r64(rng, b, lk, ev)
    r = r64(rng, b, lq, ev)
    if mask is None:
        return grad_case(
            lambda q, k, v, r: np.sum(ref.attention(q, k, v, heads, scale=scale) * r),
            [q, k, v, r], [0, 1, 2])
    kind, shape = mask
    if kind == "f64":
        m = r64(rng, *shape)
        return grad_case(
            lambda q, k, v, m, r: np.sum(ref.attention(q, k, v, heads, m, scale) * r),
            [q, k, v, m, r], [0, 1, 2, 3])
    m = rng.standard_normal(shape) > 0
    m[..., 0] = True  # no row masked out entirely
    # gradcheck hands every input over as float64: back to bool for the mask.
    return grad_case(
        lambda q, k, v, m, r: np.sum(ref.attention(q, k, v, heads, m.astype(bool), scale) * r),
        [q, k, v, m, r], [0, 1, 2])


@case("attention_grad")
def grad_attention():
    return _attention(301, 2, 3, 3, 4, 4, 2)


@case("attention_cross_grad")
def grad_attention_cross():
    return _attention(302, 2, 3, 5, 4, 6, 2, scale=0.3)


@case("attention_float_mask_grad")
def grad_attention_float_mask():
    return _attention(303, 2, 3, 5, 4, 4, 2, mask=("f64", (2, 1, 5)))


@case("attention_bool_mask_grad")
def grad_attention_bool_mask():
    return _attention(304, 2, 3, 5, 4, 4, 2, mask=("i1", (2, 3, 5)))


@case("attention_dynamic_grad")
def grad_attention_dynamic():
    return _attention(305, 3, 3, 5, 4, 6, 2, mask=("i1", (3, 1, 5)))


@case("attention_dynamic_float_mask_grad")
def grad_attention_dynamic_float_mask():
    # A [1, Lq, Lk] mask shared by the batch: its gradient sums over it.
    return _attention(306, 2, 3, 4, 4, 4, 1, mask=("f64", (1, 3, 4)))

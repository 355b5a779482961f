"""End-to-end cases of softmax, reduce and the losses (reductions.mlir)."""

import numpy as np

import reference as ref
from cases import case, rand


@case("softmax_last")
def softmax_last():
    rng = np.random.default_rng(201)
    x = rand(rng, 3, 5, 7)
    return [x], [ref.softmax(x, -1)], 1e-5


@case("softmax_middle")
def softmax_middle_large():
    # Logits up to ~300: exp overflows in f32 without the max shift.
    rng = np.random.default_rng(202)
    x = rand(rng, 3, 9, 4, scale=100.0)
    return [x], [ref.softmax(x, 1)], 1e-5


@case("softmax_f16")
def softmax_f16():
    rng = np.random.default_rng(203)
    x = rand(rng, 2, 11, scale=3.0).astype(np.float16)
    return [x], [ref.softmax(x, 1)], 2e-3


@case("reduce_kinds")
def reduce_kinds():
    rng = np.random.default_rng(204)
    x = rand(rng, 3, 6, 5, 7)
    v = ref.f64(x)
    want = [v.sum(axis=(2, 3), keepdims=True), v.mean(axis=1),
            v.max(axis=(0, 3)), v.mean(axis=(0, 2), keepdims=True)]
    return [x], want, 1e-5


@case("reduce_all")
def reduce_all():
    rng = np.random.default_rng(205)
    x = rand(rng, 2, 3, 5) + 0.25
    v = ref.f64(x)
    return [x], [np.asarray(v.sum()), v.mean(keepdims=True), np.asarray(v.max())], 1e-5


@case("reduce_f16_mean")
def reduce_f16_mean():
    # f16 input, f32 accumulation: one f16 rounding of the mean.
    rng = np.random.default_rng(206)
    x = (rand(rng, 4, 129) + 2.0).astype(np.float16)
    return [x], [ref.f64(x).mean(axis=1)], 1e-3


def _loss_case(seed, fn, shape, target_fn=None):
    rng = np.random.default_rng(seed)
    x = rand(rng, *shape)
    y = target_fn(rng, shape) if target_fn else rand(rng, *shape)
    return [x, y], [fn(x, y, r) for r in ("none", "mean", "sum")], 1e-5


@case("mse_loss_all")
def mse_loss_all():
    return _loss_case(207, ref.mse_loss, (4, 1, 5, 7))


@case("gaussian_kl_all")
def gaussian_kl_all():
    return _loss_case(208, ref.gaussian_kl, (3, 4, 5, 5))


@case("bce_with_logits_all")
def bce_with_logits_all():
    # Logits beyond +-88 and soft targets in [0, 1]: exp(x) overflows f32
    # there, so a naive log(1 + exp(x)) gives inf; the stable form never does.
    def targets(rng, shape):
        return rng.uniform(0.0, 1.0, shape).astype(np.float32)
    rng = np.random.default_rng(209)
    x = rand(rng, 3, 1, 6, 6, scale=40.0)
    y = targets(rng, x.shape)
    return [x, y], [ref.bce_with_logits(x, y, r) for r in ("none", "mean", "sum")], 1e-5


def _hinge_case(seed, target):
    rng = np.random.default_rng(seed)
    x = rand(rng, 2, 1, 6, 6, scale=1.5)
    return [x], [ref.hinge_loss(x, target, r) for r in ("none", "mean", "sum")], 1e-5


@case("hinge_real")
def hinge_real():
    return _hinge_case(210, "real")


@case("hinge_fake")
def hinge_fake():
    return _hinge_case(211, "fake")


@case("hinge_generator")
def hinge_generator():
    return _hinge_case(212, "generator")

"""End-to-end cases of the training-step ops: Adam / AdamW and the EMA of
weights against torch.optim's formulas in float64, and Philox integers
against the independent numpy Philox."""

import numpy as np

import reference as ref
from cases import case, rand


def _adam_inputs(rng, shape, dtype=np.float32):
    p = rand(rng, *shape).astype(dtype)
    g = rand(rng, *shape, scale=0.3).astype(dtype)
    m = rand(rng, *shape, scale=0.1).astype(dtype)
    # Second moments are non-negative.
    v = (0.05 * np.abs(rng.standard_normal(shape))).astype(dtype)
    return p, g, m, v


@case("adam")
def adam_first_step():
    rng = np.random.default_rng(1)
    p, g, m, v = _adam_inputs(rng, (2, 3, 5))
    m[:] = 0
    v[:] = 0
    lr = np.float32(1e-3)
    want = ref.adam(p, g, m, v, 1, float(lr))
    return [p, g, m, v, ("i64", 1), ("f32", float(lr))], list(want), 2e-6


@case("adam_wd")
def adam_weight_decay():
    rng = np.random.default_rng(2)
    p, g, m, v = _adam_inputs(rng, (7, 9))
    lr = np.float32(3e-2)
    want = ref.adam(p, g, m, v, 4, float(lr), beta1=0.8, beta2=0.99, eps=1e-6,
                    weight_decay=0.1)
    return [p, g, m, v, ("i64", 4), ("f32", float(lr))], list(want), 2e-6


@case("adam")
def adam_late_step():
    # Bias corrections near 1 (beta2^100000 underflows towards 0).
    rng = np.random.default_rng(3)
    p, g, m, v = _adam_inputs(rng, (3, 3, 5))
    lr = np.float32(2e-4)
    want = ref.adam(p, g, m, v, 100000, float(lr))
    return [p, g, m, v, ("i64", 100000), ("f32", float(lr))], list(want), 2e-6


@case("adamw")
def adamw_weight_decay():
    rng = np.random.default_rng(4)
    p, g, m, v = _adam_inputs(rng, (7, 9))
    lr = np.float32(1e-2)
    want = ref.adam(p, g, m, v, 10, float(lr), weight_decay=0.05,
                    decoupled=True)
    return [p, g, m, v, ("i64", 10), ("f32", float(lr))], list(want), 2e-6


@case("adamw_three")
def adamw_three_steps():
    rng = np.random.default_rng(5)
    p = rand(rng, 4, 6)
    gs = [rand(rng, 4, 6, scale=0.5) for _ in range(3)]
    lr = np.float32(5e-2)
    x, m, v = p, np.zeros_like(p), np.zeros_like(p)
    for step, g in enumerate(gs, start=1):
        x, m, v = ref.adam(x, g, m, v, step, float(lr), weight_decay=0.01,
                           decoupled=True)
    return [p, *gs, ("f32", float(lr))], [x, m, v], 2e-6


@case("adamw_f64")
def adamw_f64():
    rng = np.random.default_rng(6)
    p, g, m, v = _adam_inputs(rng, (5, 5), dtype=np.float64)
    lr = float(np.float32(1e-3))
    want = ref.adam(p, g, m, v, 7, lr, weight_decay=0.02, decoupled=True)
    return [p, g, m, v, ("i64", 7), ("f32", lr)], list(want), 1e-12


@case("ema")
def ema_half_life():
    rng = np.random.default_rng(7)
    e, p = rand(rng, 3, 8), rand(rng, 3, 8)
    decay = float(np.float32(0.999))
    return [e, p, ("f32", decay)], [ref.ema(e, p, decay)], 1e-6


@case("ints")
def random_integers_timesteps():
    seed, offset = 0x1234ABCD5678, 5
    return ([("i64", seed), ("i64", offset), ("index", 4)],
            [ref.philox_integers(seed, offset, (4, 3), 0, 1000)], 0.0)


@case("ints_i32")
def random_integers_i32():
    seed, offset = 77, 1 << 40
    return ([("i64", seed), ("i64", offset)],
            [ref.philox_integers(seed, offset, (5, 7), -20, 17)], 0.0)


@case("ints_full")
def random_integers_full_range():
    seed, offset = 2**64 - 1, 2**35 - 3
    return ([("i64", seed - 2**64), ("i64", offset)],
            [ref.philox_integers(seed, offset, (33,), -2**31, 2**31)], 0.0)

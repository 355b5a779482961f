"""End-to-end cases of noise schedules, timestep selection, Philox noise and
the sampler loop."""

import numpy as np

import reference as ref
from cases import case


def _tables(kind, **kw):
    b = ref.betas(kind, **kw)
    a = 1.0 - b
    return [b, a, np.cumprod(a)]


@case("schedule_linear")
def schedule_linear():
    return [], _tables("linear"), 1e-6


@case("schedule_scaled_linear")
def schedule_scaled_linear():
    return [], _tables("scaled_linear", beta_start=0.00085, beta_end=0.012), 1e-6


@case("schedule_cosine")
def schedule_cosine():
    return [], _tables("squaredcos_cap_v2"), 1e-6


@case("schedule_zero_snr")
def schedule_zero_snr():
    return [], _tables("scaled_linear", beta_start=0.00085, beta_end=0.012,
                       rescale_zero_snr=True), 1e-6


def _timesteps_case(spacing, offset, counts):
    # One call per step count: the harness compares exactly (tolerance 0).
    return counts, spacing, offset


for _spacing, _offset, _entry in (("leading", 1, "timesteps_leading"),
                                  ("trailing", 0, "timesteps_trailing"),
                                  ("linspace", 0, "timesteps_linspace")):
    for _n in (1, 3, 10, 50, 61, 999, 1000):
        def _make(spacing=_spacing, offset=_offset, n=_n):
            want = ref.timesteps(n, spacing, steps_offset=offset)
            return [("i64", n)], [want.astype(np.float64)], 0.0
        _make.__name__ = f"{_entry}_{_n}"
        case(_entry)(_make)


@case("philox_noise")
def philox_noise():
    seed, offset = 0x1234ABCD5678, 7
    shape = (3, 1, 5, 7)
    return ([("i64", seed), ("i64", offset), ("index", 3)],
            [ref.philox_normals(seed, offset, shape)], 1e-5)


def _toy_ddim_loop(n, eta, seed, batch, spacing, prediction):
    """diffusers' DDIM loop with the toy model eps = tanh(x), noise from the
    Philox stream: x_T at offset 0, step i's noise at (i + 1) * numel."""
    shape = (batch, 1, 4, 4)
    numel = int(np.prod(shape))
    abar = np.cumprod(1.0 - ref.betas("linear")).astype(np.float32)
    ts = ref.timesteps(n, spacing, steps_offset=1 if spacing == "leading" else 0)
    x = ref.philox_normals(seed, 0, shape)
    for i, t in enumerate(ts):
        prev_t = t - 1000 // n
        z = ref.philox_normals(seed, (i + 1) * numel, shape)
        x = ref.ddim_step(np.tanh(x), x, abar, t, prev_t, eta, z, prediction)
    return x


@case("ddim_loop_eta0")
def ddim_loop_eta0():
    args = [("i64", 20), ("i64", 42), ("index", 2), ("f32", 0.0)]
    return args, [_toy_ddim_loop(20, 0.0, 42, 2, "leading", "epsilon")], 1e-5


@case("ddim_loop_eta1_v")
def ddim_loop_eta1_v():
    args = [("i64", 10), ("i64", 7), ("index", 3), ("f32", 1.0)]
    want = _toy_ddim_loop(10, 1.0, 7, 3, "trailing", "v_prediction")
    return args, [want], 1e-5


# -- sampler entry points built by diffc compile --sampler -----------------

def _scheduler(kind):
    if kind == "ddim_leading":
        return dict(betas=ref.betas("linear"), spacing="leading", offset=1,
                    prediction="epsilon", clip=None, alpha_one=True)
    return dict(betas=ref.betas("scaled_linear", beta_start=0.00085, beta_end=0.012),
                spacing="trailing", offset=0, prediction="v_prediction",
                clip=1.5, alpha_one=False)


def _sampler_reference(kind, sampler, n, seed, batch, eta=0.0):
    """diffusers' DDIM / DDPM sampling loop with the toy model tanh(x)."""
    s = _scheduler(kind)
    shape = (batch, 1, 4, 4)
    numel = int(np.prod(shape))
    abar = np.cumprod(1.0 - s["betas"]).astype(np.float32)
    ts = ref.timesteps(n, s["spacing"], steps_offset=s["offset"])
    x = ref.philox_normals(seed, 0, shape)
    clip = dict(clip_sample=s["clip"] is not None,
                clip_sample_range=s["clip"] or 1.0)
    for i, t in enumerate(ts):
        z = ref.philox_normals(seed, (i + 1) * numel, shape)
        if sampler == "ddim":
            x = ref.ddim_step(np.tanh(x), x, abar, t, t - 1000 // n, eta, z,
                              s["prediction"], set_alpha_to_one=s["alpha_one"], **clip)
        else:
            prev = ts[i + 1] if i + 1 < len(ts) else -1
            x = ref.ddpm_step(np.tanh(x), x, z, abar, t, prev, s["prediction"],
                              "fixed_small", **clip)
    return x


def _x_T(seed, batch):
    return ref.philox_normals(seed, 0, (batch, 1, 4, 4)).astype(np.float32)


@case("sample_ddim")
def sampler_ddim_leading():
    args = [_x_T(5, 2), ("i64", 25), ("f32", 0.5), ("i64", 5)]
    return args, [_sampler_reference("ddim_leading", "ddim", 25, 5, 2, 0.5)], 1e-5


@case("sample_ddpm")
def sampler_ddpm_leading():
    args = [_x_T(6, 3), ("i64", 40), ("i64", 6)]
    return args, [_sampler_reference("ddim_leading", "ddpm", 40, 6, 3)], 1e-5


@case("sample_ddim")
def sampler_ddim_v_trailing():
    args = [_x_T(7, 2), ("i64", 10), ("f32", 1.0), ("i64", 7)]
    return args, [_sampler_reference("v_trailing", "ddim", 10, 7, 2, 1.0)], 1e-5


@case("sample_ddpm")
def sampler_ddpm_v_trailing():
    args = [_x_T(8, 1), ("i64", 50), ("i64", 8)]
    return args, [_sampler_reference("v_trailing", "ddpm", 50, 8, 1)], 1e-5

"""End-to-end cases of elementwise ops, sampler steps and guidance."""

import numpy as np

import reference as ref
from cases import case, rand, table

# -- elementwise ----------------------------------------------------------

@case("bias_silu_residual")
def bias_silu_residual():
    rng = np.random.default_rng(1)
    x, b, r = rand(rng, 3, 4, 5, 5), rand(rng, 4, 1, 1), rand(rng, 3, 4, 5, 5)
    y = ref.f64(x) + ref.f64(b)
    return [x, b, r], [y * ref.sigmoid(y) + ref.f64(r)], 1e-6


@case("shared_result")
def shared_result():
    # One computed value returned three times: the runtime must copy every
    # result before freeing the buffer they share.
    rng = np.random.default_rng(4)
    x = rand(rng, 64, 33)
    y = np.exp(ref.f64(x))
    return [x], [y, y, y], 1e-6


@case("unary_chain")
def unary_chain():
    rng = np.random.default_rng(2)
    x = rand(rng, 2, 33)
    v = ref.f64(x)
    want = [ref.gelu(v, "tanh"), ref.gelu(v), np.tanh(v), np.maximum(v, 0),
            np.exp(v), np.log(np.abs(v) + 0.5), np.sqrt(np.abs(v)),
            1 / np.sqrt(np.abs(v) + 0.1), -v, np.abs(v), ref.sigmoid(v),
            np.clip(v, -0.5, 0.25)]
    return [x], want, 2e-6


@case("binary_broadcast")
def binary_broadcast():
    rng = np.random.default_rng(3)
    a, b = rand(rng, 2, 3, 4), np.abs(rand(rng, 3, 1)) + 0.5
    va, vb = ref.f64(a), ref.f64(b)
    want = [va - vb, va * vb, va / vb, np.maximum(va, vb), np.minimum(va, vb),
            np.abs(va) ** vb]
    return [a, b], want, 2e-6


# -- sampler steps ----------------------------------------------------------

def _ddim_inputs(seed, batch=2):
    rng = np.random.default_rng(seed)
    return rng, rand(rng, batch, 1, 6, 6), rand(rng, batch, 1, 6, 6), table()


def _ddim_case(prediction, t, prev_t, eta, seed, noise=True, **options):
    rng, eps, x, abar = _ddim_inputs(seed)
    z = rand(rng, *x.shape)
    args = [eps, x, abar, ("i64", t), ("i64", prev_t), ("f32", eta)]
    if noise:
        args.append(z)
    want = ref.ddim_step(eps, x, abar, t, prev_t, float(np.float32(eta)),
                         z if noise else None, prediction, **options)
    return args, [want], 1e-5


@case("ddim_epsilon")
def ddim_epsilon():
    return _ddim_case("epsilon", 981, 961, 0.0, 10, noise=False)


@case("ddim_epsilon_eta")
def ddim_epsilon_eta():
    return _ddim_case("epsilon", 501, 481, 0.7, 11)


@case("ddim_v_prediction_last")
def ddim_v_prediction_last():
    return _ddim_case("v_prediction", 1, -19, 1.0, 12)


@case("ddim_sample_clip")
def ddim_sample_clip():
    return _ddim_case("sample", 700, 650, 0.3, 13, clip_sample=True,
                      clip_sample_range=0.5)


@case("ddim_no_alpha_one_clipped_output")
def ddim_no_alpha_one_clipped_output():
    return _ddim_case("epsilon", 20, -1, 0.5, 14, clip_sample=True,
                      set_alpha_to_one=False, use_clipped_model_output=True)


@case("ddim_inverse")
def ddim_inverse():
    rng, eps, x, abar = _ddim_inputs(15)
    want = ref.ddim_inverse_step(eps, x, abar, -19, 1, "epsilon")
    return [eps, x, abar, ("i64", -19), ("i64", 1)], [want], 1e-5


@case("ddim_inverse_v_no_alpha_one")
def ddim_inverse_v_no_alpha_one():
    rng, eps, x, abar = _ddim_inputs(16)
    want = ref.ddim_inverse_step(eps, x, abar, 300, 320, "v_prediction",
                                 set_alpha_to_one=False)
    return [eps, x, abar, ("i64", 300), ("i64", 320)], [want], 1e-5


@case("cfg_ddim_fused")
def cfg_ddim_fused():
    rng, eu, x, abar = _ddim_inputs(17)
    ec, z = rand(rng, *x.shape), rand(rng, *x.shape)
    w = 7.5
    e = ref.f64(eu) + w * (ref.f64(ec) - ref.f64(eu))
    want = ref.ddim_step(e, x, abar, 601, 581, float(np.float32(0.25)), z)
    args = [eu, ec, x, z, abar, ("i64", 601), ("i64", 581), ("f32", 0.25),
            ("f32", w)]
    return args, [want], 1e-5


@case("add_noise")
def add_noise():
    rng = np.random.default_rng(18)
    x0, eps, abar = rand(rng, 4, 1, 5, 5), rand(rng, 4, 1, 5, 5), table()
    t = np.array([0, 17, 500, 999], dtype=np.int64)
    return [x0, eps, abar, t], [ref.add_noise(x0, eps, abar, t)], 1e-6


@case("classifier_guidance")
def classifier_guidance():
    rng = np.random.default_rng(19)
    mu, var, g = rand(rng, 2, 3, 4), np.abs(rand(rng, 1, 4)), rand(rng, 2, 3, 4)
    want = ref.f64(mu) + 2.5 * ref.f64(var) * ref.f64(g)
    return [mu, var, g, ("f32", 2.5)], [want], 1e-6


# -- DDPM -------------------------------------------------------------------

def _ddpm_case(seed, t, prev_t, prediction, variance, channels_out=1, **options):
    rng = np.random.default_rng(seed)
    x = rand(rng, 2, 1, 6, 6)
    out = rand(rng, 2, channels_out, 6, 6)
    if channels_out == 2 and variance == "learned":
        out[:, 1:] = np.abs(out[:, 1:]) * 0.01  # a variance must be positive
    z = rand(rng, *x.shape)
    want = ref.ddpm_step(out, x, z, table(), t, prev_t, prediction, variance, **options)
    return [out, x, z, table(), ("i64", t), ("i64", prev_t)], [want], 1e-5


@case("ddpm_fixed_small")
def ddpm_fixed_small():
    return _ddpm_case(30, 999, 979, "epsilon", "fixed_small")


@case("ddpm_fixed_small_log_clip")
def ddpm_fixed_small_log_clip():
    return _ddpm_case(31, 500, 499, "sample", "fixed_small_log", clip_sample=True)


@case("ddpm_fixed_large_v")
def ddpm_fixed_large_v():
    return _ddpm_case(32, 250, 200, "v_prediction", "fixed_large")


@case("ddpm_last_step")
def ddpm_last_step():
    return _ddpm_case(33, 0, -1, "epsilon", "fixed_small")


@case("ddpm_learned")
def ddpm_learned():
    return _ddpm_case(34, 640, 600, "epsilon", "learned", channels_out=2)


@case("ddpm_learned_range")
def ddpm_learned_range():
    return _ddpm_case(35, 123, 103, "epsilon", "learned_range", channels_out=2)


# -- dynamic thresholding (Imagen; diffusers' _threshold_sample) -----------

@case("ddim_thresholding")
def ddim_thresholding():
    rng = np.random.default_rng(40)
    # Large model outputs: the quantile of |x0| (5 to 8) lies inside [1, max],
    # so the interpolated order statistics themselves are checked.
    eps, x = rand(rng, 3, 1, 6, 6, scale=3.0), rand(rng, 3, 1, 6, 6)
    z = rand(rng, *x.shape)
    want = ref.ddim_step(eps, x, table(), 300, 280, float(np.float32(0.4)), z,
                         "epsilon", thresholding=(0.9, 20.0))
    return [eps, x, table(), ("i64", 300), ("i64", 280), ("f32", 0.4), z], [want], 1e-5


@case("ddpm_thresholding_learned_range")
def ddpm_thresholding_learned_range():
    rng = np.random.default_rng(41)
    out, x = rand(rng, 2, 2, 6, 6, scale=4.0), rand(rng, 2, 1, 6, 6)
    out[:, 1:] = np.tanh(out[:, 1:])
    z = rand(rng, *x.shape)
    want = ref.ddpm_step(out, x, z, table(), 700, 650, "v_prediction",
                         "learned_range", thresholding=(0.995, 10.0))
    return [out, x, z, table(), ("i64", 700), ("i64", 650)], [want], 1e-5

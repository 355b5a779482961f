"""Float64 reference implementations, written from the formulas of PyTorch
and of diffusers' schedulers (DDIMScheduler.step, DDIMInverseScheduler.step,
add_noise), independently of the compiler. Inputs are upcast to float64."""

import math

import numpy as np


def f64(x):
    return np.asarray(x, dtype=np.float64)


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def gelu(x, approximate="none"):
    if approximate == "tanh":
        return 0.5 * x * (1.0 + np.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x ** 3)))
    erf = np.vectorize(math.erf)
    return 0.5 * x * (1.0 + erf(x / math.sqrt(2.0)))


def linear_alphas_cumprod(n=1000, beta_start=1e-4, beta_end=0.02):
    betas = np.linspace(beta_start, beta_end, n, dtype=np.float64)
    return np.cumprod(1.0 - betas)


def _x0_eps(prediction_type, sample, model_output, a_t):
    b_t = 1.0 - a_t
    if prediction_type == "epsilon":
        return (sample - b_t ** 0.5 * model_output) / a_t ** 0.5, model_output
    if prediction_type == "sample":
        return model_output, (sample - a_t ** 0.5 * model_output) / b_t ** 0.5
    if prediction_type == "v_prediction":
        return (a_t ** 0.5 * sample - b_t ** 0.5 * model_output,
                a_t ** 0.5 * model_output + b_t ** 0.5 * sample)
    raise ValueError(prediction_type)


def ddim_step(model_output, sample, alphas_cumprod, t, prev_t, eta, noise=None,
              prediction_type="epsilon", clip_sample=False, clip_sample_range=1.0,
              set_alpha_to_one=True, use_clipped_model_output=False):
    model_output, sample, ac = f64(model_output), f64(sample), f64(alphas_cumprod)
    final = 1.0 if set_alpha_to_one else ac[0]
    a_t = ac[t]
    a_prev = ac[prev_t] if prev_t >= 0 else final
    b_t = 1.0 - a_t
    x0, eps = _x0_eps(prediction_type, sample, model_output, a_t)
    if clip_sample:
        x0 = np.clip(x0, -clip_sample_range, clip_sample_range)
    variance = (1.0 - a_prev) / b_t * (1.0 - a_t / a_prev)
    std = eta * variance ** 0.5
    if use_clipped_model_output:
        eps = (sample - a_t ** 0.5 * x0) / b_t ** 0.5
    prev = a_prev ** 0.5 * x0 + (1.0 - a_prev - std ** 2) ** 0.5 * eps
    if eta > 0 and noise is not None:
        prev = prev + std * f64(noise)
    return prev


def ddim_inverse_step(model_output, sample, alphas_cumprod, t, next_t,
                      prediction_type="epsilon", clip_sample=False,
                      clip_sample_range=1.0, set_alpha_to_one=True):
    model_output, sample, ac = f64(model_output), f64(sample), f64(alphas_cumprod)
    initial = 1.0 if set_alpha_to_one else ac[0]
    a_t = ac[t] if t >= 0 else initial
    a_next = ac[next_t]
    x0, eps = _x0_eps(prediction_type, sample, model_output, a_t)
    if clip_sample:
        x0 = np.clip(x0, -clip_sample_range, clip_sample_range)
    return a_next ** 0.5 * x0 + (1.0 - a_next) ** 0.5 * eps


def add_noise(original, noise, alphas_cumprod, timesteps):
    ac = f64(alphas_cumprod)[np.asarray(timesteps)]
    shape = (-1,) + (1,) * (np.ndim(original) - 1)
    return ac.reshape(shape) ** 0.5 * f64(original) + (1.0 - ac.reshape(shape)) ** 0.5 * f64(noise)


# -- schedules (diffusers DDPMScheduler.__init__ / set_timesteps) ----------

def betas(kind, n=1000, beta_start=1e-4, beta_end=0.02, rescale_zero_snr=False):
    if kind == "linear":
        b = np.linspace(beta_start, beta_end, n, dtype=np.float64)
    elif kind == "scaled_linear":
        b = np.linspace(beta_start ** 0.5, beta_end ** 0.5, n, dtype=np.float64) ** 2
    elif kind == "squaredcos_cap_v2":
        def alpha_bar(t):
            return math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
        b = np.array([min(1 - alpha_bar((i + 1) / n) / alpha_bar(i / n), 0.999)
                      for i in range(n)], dtype=np.float64)
    else:
        raise ValueError(kind)
    if rescale_zero_snr:
        s = np.sqrt(np.cumprod(1.0 - b))
        s0, sT = s[0], s[-1]
        s = (s - sT) * s0 / (s0 - sT)
        ab = s ** 2
        alphas = np.concatenate([ab[0:1], ab[1:] / ab[:-1]])
        b = 1.0 - alphas
    return b


def timesteps(n, spacing, T=1000, steps_offset=0):
    """diffusers' set_timesteps. For 'trailing', np.arange can yield n + 1
    values for some n (float rounding of T / n); diffc keeps exactly n."""
    if spacing == "linspace":
        return np.linspace(0, T - 1, n).round()[::-1].astype(np.int64)
    if spacing == "leading":
        ratio = T // n
        return (np.arange(0, n) * ratio).round()[::-1].astype(np.int64) + steps_offset
    if spacing == "trailing":
        ratio = T / n
        return (np.round(np.arange(T, 0, -ratio)).astype(np.int64) - 1)[:n]
    raise ValueError(spacing)


def philox_normals(seed, offset, shape):
    """Float64 normals of the Philox stream (independent numpy Philox in
    test/unit/runtime/philox_reference.py)."""
    import os
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "unit", "runtime"))
    import philox_reference
    n = int(np.prod(shape))
    return philox_reference.reference(seed, offset, n)[1].reshape(shape)


def ddpm_step(model_output, sample, noise, alphas_cumprod, t, prev_t,
              prediction_type="epsilon", variance_type="fixed_small",
              clip_sample=False, clip_sample_range=1.0):
    """diffusers' DDPMScheduler.step with _get_variance, given prev_t (the
    scheduler's previous_timestep) and the standard normal noise."""
    model_output, sample, ac = f64(model_output), f64(sample), f64(alphas_cumprod)
    predicted_variance = None
    c = sample.shape[1]
    if model_output.shape[1] == 2 * c and variance_type in ("learned", "learned_range"):
        model_output, predicted_variance = model_output[:, :c], model_output[:, c:]
    a_t = ac[t]
    a_prev = ac[prev_t] if prev_t >= 0 else 1.0
    b_t, b_prev = 1.0 - a_t, 1.0 - a_prev
    cur_alpha = a_t / a_prev
    cur_beta = 1.0 - cur_alpha
    x0, _ = _x0_eps(prediction_type, sample, model_output, a_t)
    if clip_sample:
        x0 = np.clip(x0, -clip_sample_range, clip_sample_range)
    mean = (a_prev ** 0.5 * cur_beta) / b_t * x0 + cur_alpha ** 0.5 * b_prev / b_t * sample
    if t <= 0:
        return mean
    variance = max(b_prev / b_t * cur_beta, 1e-20)
    if variance_type == "fixed_small":
        std = variance ** 0.5
    elif variance_type == "fixed_small_log":
        std = math.exp(0.5 * math.log(variance))
    elif variance_type == "fixed_large":
        std = cur_beta ** 0.5
    elif variance_type == "learned":
        std = predicted_variance ** 0.5
    elif variance_type == "learned_range":
        frac = (predicted_variance + 1) / 2
        std = np.exp(0.5 * (frac * math.log(cur_beta) + (1 - frac) * math.log(variance)))
    else:
        raise ValueError(variance_type)
    return mean + std * f64(noise)

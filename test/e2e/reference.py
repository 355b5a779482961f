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


def threshold_sample(x0, ratio, max_value):
    """diffusers' _threshold_sample: per-sample quantile of |x0| (linear
    interpolation, as torch.quantile), clamped to [1, max_value]."""
    flat = x0.reshape(x0.shape[0], -1)
    s = np.quantile(np.abs(flat), ratio, axis=1)
    s = np.clip(s, 1.0, max_value)[:, None]
    return (np.clip(flat, -s, s) / s).reshape(x0.shape)


def ddim_step(model_output, sample, alphas_cumprod, t, prev_t, eta, noise=None,
              prediction_type="epsilon", clip_sample=False, clip_sample_range=1.0,
              set_alpha_to_one=True, use_clipped_model_output=False,
              thresholding=None):
    model_output, sample, ac = f64(model_output), f64(sample), f64(alphas_cumprod)
    final = 1.0 if set_alpha_to_one else ac[0]
    a_t = ac[t]
    a_prev = ac[prev_t] if prev_t >= 0 else final
    b_t = 1.0 - a_t
    x0, eps = _x0_eps(prediction_type, sample, model_output, a_t)
    if thresholding is not None:
        x0 = threshold_sample(x0, *thresholding)
    elif clip_sample:
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
              clip_sample=False, clip_sample_range=1.0, thresholding=None):
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
    if thresholding is not None:
        x0 = threshold_sample(x0, *thresholding)
    elif clip_sample:
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


# -- normalization, reductions, data movement, embeddings --------------------
# Written from the PyTorch / diffusers definitions, with explicit loops where
# a vectorized NumPy form would mirror the compiler's decomposition.

def group_norm(x, gamma, beta, num_groups, eps=1e-5):
    """torch.nn.functional.group_norm: biased variance, eps inside the sqrt."""
    x = f64(x)
    n, c = x.shape[:2]
    y = np.empty_like(x)
    per = c // num_groups
    for i in range(n):
        for g in range(num_groups):
            block = x[i, g * per:(g + 1) * per]
            mu = block.mean()
            var = ((block - mu) ** 2).mean()
            y[i, g * per:(g + 1) * per] = (block - mu) / math.sqrt(var + eps)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return y * f64(gamma).reshape(shape) + f64(beta).reshape(shape)


def layer_norm(x, gamma, beta, eps=1e-5):
    """torch.nn.functional.layer_norm over the last dimension."""
    x = f64(x)
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * f64(gamma) + f64(beta)


def softmax(x, axis):
    x = f64(x)
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def reduce_loss(v, reduction):
    if reduction == "none":
        return v
    return np.asarray(v.mean() if reduction == "mean" else v.sum())


def mse_loss(x, y, reduction):
    return reduce_loss((f64(x) - f64(y)) ** 2, reduction)


def gaussian_kl(mu, logvar, reduction):
    mu, lv = f64(mu), f64(logvar)
    return reduce_loss(0.5 * (-lv + np.exp(lv) + mu ** 2 - 1.0), reduction)


def bce_with_logits(x, y, reduction):
    """-[y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))], via logaddexp."""
    x, y = f64(x), f64(y)
    v = y * np.logaddexp(0.0, -x) + (1.0 - y) * np.logaddexp(0.0, x)
    return reduce_loss(v, reduction)


def hinge_loss(x, target, reduction):
    x = f64(x)
    v = {"real": np.maximum(1.0 - x, 0.0), "fake": np.maximum(1.0 + x, 0.0),
         "generator": -x}[target]
    return reduce_loss(v, reduction)


def upsample_nearest(x, sh, sw):
    return np.repeat(np.repeat(f64(x), sh, axis=2), sw, axis=3)


def avg_pool2d(x, kernel, stride, padding=(0, 0)):
    """count_include_pad=True, ceil_mode=False: every window sums kH * kW
    entries of the zero-padded input."""
    x = f64(x)
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    ho = (x.shape[2] + 2 * ph - kh) // sh + 1
    wo = (x.shape[3] + 2 * pw - kw) // sw + 1
    y = np.zeros(x.shape[:2] + (ho, wo))
    for i in range(ho):
        for j in range(wo):
            y[:, :, i, j] = xp[:, :, i * sh:i * sh + kh, j * sw:j * sw + kw].sum(axis=(2, 3))
    return y / (kh * kw)


def timestep_embedding(t, dim, flip_sin_to_cos=False, downscale_freq_shift=1.0,
                       scale=1.0, max_period=10000.0):
    """diffusers.models.embeddings.get_timestep_embedding, in float64."""
    half = dim // 2
    exponent = -math.log(max_period) * np.arange(half, dtype=np.float64)
    exponent = exponent / (half - downscale_freq_shift)
    emb = f64(t)[:, None] * np.exp(exponent)[None, :]
    emb = scale * emb
    emb = np.concatenate([np.sin(emb), np.cos(emb)], axis=-1)
    if flip_sin_to_cos:
        emb = np.concatenate([emb[:, half:], emb[:, :half]], axis=-1)
    if dim % 2 == 1:
        emb = np.pad(emb, ((0, 0), (0, 1)))
    return emb


def vector_quantize(z, codebook, axis):
    """Nearest codebook row per position along `axis`; ties go to the lowest
    index (np.argmin, like torch.argmin). Returns (quantized, indices)."""
    z, cb = np.moveaxis(f64(z), axis, -1), f64(codebook)
    d = ((z[..., None, :] - cb) ** 2).sum(axis=-1)
    idx = np.argmin(d, axis=-1)
    return np.moveaxis(cb[idx], -1, axis), idx


# -- matrix products, convolutions, attention ----------------------------------

def linear(x, w, b=None):
    """torch.nn.functional.linear: x W^T + b over the last dimension."""
    y = np.einsum("...i,oi->...o", f64(x), f64(w))
    return y if b is None else y + f64(b)


def matmul(a, b):
    """torch.matmul for rank >= 2 (broadcast batch dimensions)."""
    return np.matmul(f64(a), f64(b))


def conv_nd(x, w, b=None, stride=None, padding=None, dilation=None, groups=1):
    """torch.nn.functional.conv{2,3}d by explicit loops over the kernel taps:
    for every tap, the strided window of the zero-padded input is multiplied
    into the output with one einsum per group. x [N, C, *S], w [O, C/g, *K]."""
    x, w = f64(x), f64(w)
    nd = x.ndim - 2
    stride = stride or (1,) * nd
    padding = padding or (0,) * nd
    dilation = dilation or (1,) * nd
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    kernel = w.shape[2:]
    out = [(x.shape[2 + i] + 2 * padding[i] - dilation[i] * (kernel[i] - 1) - 1)
           // stride[i] + 1 for i in range(nd)]
    n, c = x.shape[:2]
    o, cg = w.shape[:2]
    og = o // groups
    y = np.zeros((n, o) + tuple(out))
    for tap in np.ndindex(*kernel):
        window = tuple(slice(tap[i] * dilation[i],
                             tap[i] * dilation[i] + (out[i] - 1) * stride[i] + 1,
                             stride[i]) for i in range(nd))
        patch = xp[(slice(None), slice(None)) + window]  # [N, C, *out]
        for g in range(groups):
            wg = w[(slice(g * og, (g + 1) * og), slice(None)) + tap]  # [og, cg]
            xg = patch[:, g * cg:(g + 1) * cg]
            y[:, g * og:(g + 1) * og] += np.einsum("oc,nc...->no...", wg, xg)
    if b is not None:
        y += f64(b).reshape((1, o) + (1,) * nd)
    return y


def _conv_windows(nd, kernel, out, stride, dilation):
    """The strided window of the padded input that each kernel tap reads."""
    for tap in np.ndindex(*kernel):
        yield tap, tuple(slice(tap[i] * dilation[i],
                               tap[i] * dilation[i] + (out[i] - 1) * stride[i] + 1,
                               stride[i]) for i in range(nd))


def conv_nd_input_grad(dy, w, input_shape, stride=None, padding=None,
                       dilation=None, groups=1):
    """torch.nn.grad.conv{2,3}d_input: the adjoint of conv_nd in its input.
    Tap by tap, the weight times dy is added into the window of a
    zero-padded gradient that the tap read in the forward pass; the padding
    is cropped at the end. dy [N, O, *out], w [O, C/g, *K]."""
    dy, w = f64(dy), f64(w)
    nd = dy.ndim - 2
    stride = stride or (1,) * nd
    padding = padding or (0,) * nd
    dilation = dilation or (1,) * nd
    n, c = input_shape[:2]
    spatial = input_shape[2:]
    o, cg = w.shape[:2]
    og = o // groups
    dxp = np.zeros((n, c) + tuple(s + 2 * p for s, p in zip(spatial, padding)))
    for tap, window in _conv_windows(nd, w.shape[2:], dy.shape[2:], stride, dilation):
        for g in range(groups):
            wg = w[(slice(g * og, (g + 1) * og), slice(None)) + tap]  # [og, cg]
            dxp[(slice(None), slice(g * cg, (g + 1) * cg)) + window] += np.einsum(
                "oc,no...->nc...", wg, dy[:, g * og:(g + 1) * og])
    crop = tuple(slice(p, p + s) for p, s in zip(padding, spatial))
    return dxp[(slice(None), slice(None)) + crop]


def conv_nd_weight_grad(x, dy, kernel, stride=None, padding=None, dilation=None,
                        groups=1):
    """torch.nn.grad.conv{2,3}d_weight: the adjoint of conv_nd in its
    weight. Tap by tap, dy is contracted with the window of the zero-padded
    input that the tap read. x [N, C, *S], dy [N, O, *out]; the result is
    [O, C/g, *kernel]."""
    x, dy = f64(x), f64(dy)
    nd = x.ndim - 2
    stride = stride or (1,) * nd
    padding = padding or (0,) * nd
    dilation = dilation or (1,) * nd
    xp = np.pad(x, [(0, 0), (0, 0)] + [(p, p) for p in padding])
    c, o = x.shape[1], dy.shape[1]
    cg, og = c // groups, o // groups
    dw = np.zeros((o, cg) + tuple(kernel))
    for tap, window in _conv_windows(nd, kernel, dy.shape[2:], stride, dilation):
        patch = xp[(slice(None), slice(None)) + window]  # [N, C, *out]
        for g in range(groups):
            dyg = dy[:, g * og:(g + 1) * og].reshape(dy.shape[0], og, -1)
            xg = patch[:, g * cg:(g + 1) * cg].reshape(x.shape[0], cg, -1)
            dw[(slice(g * og, (g + 1) * og), slice(None)) + tap] = np.einsum(
                "nop,ncp->oc", dyg, xg)
    return dw


def attention(q, k, v, num_heads=1, mask=None, scale=None):
    """Multi-head scaled dot-product attention on projected [B, L, E] inputs:
    per head softmax(Q K^T * scale + mask) V, heads concatenated. A bool mask
    keeps the True positions; a float mask is added to the scores."""
    q, k, v = f64(q), f64(k), f64(v)
    b, lq, e = q.shape
    lk, ev = k.shape[1], v.shape[2]
    d, dv = e // num_heads, ev // num_heads
    scale = 1.0 / math.sqrt(d) if scale is None else scale
    qh = q.reshape(b, lq, num_heads, d).transpose(0, 2, 1, 3)
    kh = k.reshape(b, lk, num_heads, d).transpose(0, 2, 1, 3)
    vh = v.reshape(b, lk, num_heads, dv).transpose(0, 2, 1, 3)
    s = np.einsum("bhid,bhjd->bhij", qh, kh) * scale
    if mask is not None:
        m = np.asarray(mask)[:, None]  # broadcast over heads
        s = np.where(m, s, -np.inf) if m.dtype == bool else s + f64(m)
    s = s - s.max(axis=-1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=-1, keepdims=True)
    o = np.einsum("bhij,bhjd->bhid", p, vh)
    return o.transpose(0, 2, 1, 3).reshape(b, lq, ev)


def philox_integers(seed, offset, shape, low, high):
    """Integers in [low, high) of the Philox stream: one word per element,
    low + ((w * (high - low)) >> 32) (runtime/include/diffc/philox.h), from
    the independent numpy Philox of test/unit/runtime/philox_reference.py.
    Python integers, so the product cannot wrap."""
    import os
    import sys
    here = os.path.dirname(os.path.abspath(__file__))
    sys.path.insert(0, os.path.join(here, "..", "unit", "runtime"))
    import philox_reference
    n = int(np.prod(shape))
    words, _ = philox_reference.reference(seed, offset, n)
    g = [(offset + i) % 2**64 for i in range(n)]
    out = [low + ((int(words[i][g[i] % 4]) * (high - low)) >> 32)
           for i in range(n)]
    return np.array(out, dtype=np.int64).reshape(shape)


def adam(p, g, m, v, step, lr, beta1=0.9, beta2=0.999, eps=1e-8,
         weight_decay=0.0, decoupled=False):
    """One torch.optim.Adam (decoupled=False) or AdamW (decoupled=True) step
    at 1-based `step`, in float64: torch's _single_tensor_adam. Returns
    (p, m, v)."""
    p, g, m, v = f64(p), f64(g), f64(m), f64(v)
    if decoupled:
        p = p * (1.0 - lr * weight_decay)
    elif weight_decay != 0.0:
        g = g + weight_decay * p
    m = beta1 * m + (1.0 - beta1) * g
    v = beta2 * v + (1.0 - beta2) * g * g
    bias1 = 1.0 - beta1 ** step
    bias2 = 1.0 - beta2 ** step
    denom = np.sqrt(v) / np.sqrt(bias2) + eps
    return p - (lr / bias1) * m / denom, m, v


def ema(average, param, decay):
    """ema.mul_(decay).add_(param, alpha=1 - decay), in float64."""
    return decay * f64(average) + (1.0 - decay) * f64(param)

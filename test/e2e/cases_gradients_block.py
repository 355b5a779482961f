"""The float32 gradient of a small U-Net block (gradients-block.mlir)
against central finite differences of its float64 NumPy reference."""

import numpy as np

import reference as ref
from cases import case, rand
from gradcheck import grad_case


def block(x, gamma, beta, w1, b1, wq, wk, wv, wo, bo):
    """GroupNorm -> SiLU -> conv2d -> + x -> self-attention over the
    positions (projections, 2 heads, output projection) -> + residual."""
    n = ref.group_norm(x, gamma, beta, 2, 1e-5)
    h = ref.conv_nd(n * ref.sigmoid(n), w1, b1, padding=(1, 1)) + x
    b, c, hh, ww = h.shape
    t = h.reshape(b, c, hh * ww).transpose(0, 2, 1)
    att = ref.attention(ref.linear(t, wq), ref.linear(t, wk), ref.linear(t, wv), 2)
    o = ref.linear(att, wo, bo).transpose(0, 2, 1).reshape(h.shape)
    return o + h


@case("block_grad")
def grad_block():
    rng = np.random.default_rng(501)
    x = rand(rng, 2, 4, 4, 4)
    gamma = 1.0 + rand(rng, 4, scale=0.1)
    beta = rand(rng, 4, scale=0.1)
    w1, b1 = rand(rng, 4, 4, 3, 3, scale=0.3), rand(rng, 4, scale=0.1)
    wq, wk, wv, wo = (rand(rng, 4, 4, scale=0.5) for _ in range(4))
    bo = rand(rng, 4, scale=0.1)
    r = rand(rng, 2, 4, 4, 4)
    inputs = [x, gamma, beta, w1, b1, wq, wk, wv, wo, bo, r]
    return grad_case(lambda *a: np.sum(block(*a[:-1]) * a[-1]), inputs,
                     list(range(10)), rtol=1e-4)

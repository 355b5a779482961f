"""End-to-end cases of conv2d_backward_input and conv2d_backward_weight:
stride 1 and 2 (odd and even extents), 1x1, dilation, groups, dynamic batch,
float64, and the vector-Jacobian identity, against the float64 adjoints of
reference.conv_nd in reference.py."""

import numpy as np

import reference as ref
from cases import case, rand

TOL = 1e-5


def _rng(seed):
    return np.random.default_rng(500 + seed)


def _pair(entry_input, entry_weight, seed, n, c, o, hw, kernel, groups=1,
          dtype=np.float32, tol=TOL, **window):
    """Registers the input and the weight gradient of one convolution:
    random x [n, c, *hw], weight [o, c / groups, *kernel] and output
    gradient dy of the forward output's shape."""
    def inputs():
        rng = _rng(seed)
        x = rand(rng, n, c, *hw)
        w = rand(rng, o, c // groups, *kernel)
        y_shape = ref.conv_nd(x, w, groups=groups, **window).shape
        dy = rand(rng, *y_shape)
        return [a.astype(dtype) for a in (x, w, dy)]

    def input_grad():
        x, w, dy = inputs()
        want = ref.conv_nd_input_grad(dy, w, x.shape, groups=groups, **window)
        return [dy, w], [want], tol

    def weight_grad():
        x, w, dy = inputs()
        want = ref.conv_nd_weight_grad(x, dy, kernel, groups=groups, **window)
        return [x, dy], [want], tol

    input_grad.__name__ = entry_input
    weight_grad.__name__ = entry_weight
    case(entry_input)(input_grad)
    case(entry_weight)(weight_grad)


_pair("grad_input_same", "grad_weight_same", 1, 3, 3, 4, (7, 5), (3, 3),
      padding=(1, 1))
_pair("grad_input_stride2_odd", "grad_weight_stride2_odd", 2, 2, 4, 6, (9, 8),
      (3, 3), stride=(2, 2), padding=(1, 1))
_pair("grad_input_stride2_even", "grad_weight_stride2_even", 3, 3, 3, 5, (8, 8),
      (3, 3), stride=(2, 2), padding=(1, 1))
_pair("grad_input_pointwise", "grad_weight_pointwise", 4, 2, 8, 3, (5, 7),
      (1, 1))
_pair("grad_input_dilation2", "grad_weight_dilation2", 5, 1, 3, 5, (11, 10),
      (3, 3), dilation=(2, 2))
_pair("grad_input_groups2", "grad_weight_groups2", 6, 2, 4, 6, (7, 5), (3, 3),
      groups=2, padding=(1, 1))
_pair("grad_input_unet", "grad_weight_unet", 7, 3, 64, 16, (14, 14), (3, 3),
      padding=(1, 1))
# The kernels take f32 only, so float64 checks the linalg lowering itself.
_pair("grad_input_f64", "grad_weight_f64", 8, 2, 4, 6, (9, 7), (3, 3),
      groups=2, dtype=np.float64, tol=1e-12, stride=(2, 2), padding=(1, 1),
      dilation=(1, 2))


@case("grad_vjp_identity")
def grad_vjp_identity():
    # All three compiled inner products against the one float64
    # <conv(x, w), dy>. dy leans towards y so that the inner product is not
    # a small difference of large terms.
    rng = _rng(9)
    x, w = rand(rng, 2, 4, 9, 8), rand(rng, 6, 4, 3, 3)
    y = ref.conv_nd(x, w, stride=(2, 2), padding=(1, 1))
    dy = (y + 2.0 * rng.standard_normal(y.shape)).astype(np.float32)
    inner = np.sum(y * ref.f64(dy))
    want = np.array(inner)
    return [x, w, dy], [want, want, want], TOL

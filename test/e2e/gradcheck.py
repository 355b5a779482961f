"""Gradient checks: the compiled gradient function (diffc-autodiff) against
central finite differences of an independent float64 NumPy loss.

grad_case(loss, inputs, wrt) gives the (arguments, expected outputs,
tolerance) triple the harness wants, for an entry `<f>_grad` returning the
loss followed by d loss / d inputs[i] for i in wrt. Tensors should be small:
each element costs two evaluations of the reference loss.
"""

import numpy as np


def finite_difference(loss, inputs, i, h=1e-6):
    """d loss / d inputs[i] by central differences in float64, step h * max(1, |x|)."""
    args = [np.asarray(a, dtype=np.float64).copy() for a in inputs]
    x = args[i]
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for k in range(flat.size):
        v = flat[k]
        step = h * max(1.0, abs(v))
        flat[k] = v + step
        up = loss(*args)
        flat[k] = v - step
        down = loss(*args)
        flat[k] = v
        gflat[k] = (up - down) / (2 * step)
    return grad


def grad_case(loss, inputs, wrt, rtol=1e-6):
    expected = [np.float64(loss(*[np.asarray(a, np.float64) for a in inputs]))]
    expected += [finite_difference(loss, inputs, i) for i in wrt]
    return inputs, expected, rtol

"""The registry of end-to-end cases. A case is a function returning
(arguments, expected outputs in float64, tolerance), registered with
@case(entry) where entry names the function in the .mlir test that runs it.
Cases live in cases_<topic>.py files, all imported by load_all()."""

import glob
import importlib
import os

import numpy as np

import reference as ref

CASES = {}


def case(entry):
    def register(fn):
        fn.entry = entry
        if fn.__name__ in CASES:
            raise ValueError(f"duplicate case {fn.__name__}")
        CASES[fn.__name__] = fn
        return fn
    return register


def rand(rng, *shape, scale=1.0):
    """Seeded standard-normal float32 input (never all zeros)."""
    return (scale * rng.standard_normal(shape)).astype(np.float32)


def table():
    """The linear-schedule alpha-bar table of DDPM, as float32."""
    return ref.linear_alphas_cumprod().astype(np.float32)


def load_all():
    here = os.path.dirname(os.path.abspath(__file__))
    for path in sorted(glob.glob(os.path.join(here, "cases_*.py"))):
        importlib.import_module(os.path.basename(path)[:-3])
    return CASES

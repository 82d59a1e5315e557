"""Shared scaffolding of the compiled backends' differential tests (test_codegen_cpp.py and
test_codegen_triton.py): run a function through jit with one backend and eagerly, compare every
output (dtype, shape, values with NaN in the same places), and the value sets and primitive
lists both backends are checked on."""
import numpy as np
import pytest

import jaxish as jax
import jaxish.numpy as jnp
from jaxish import lax

from breadth_helpers import enable_x64


def _np(x):
    return np.asarray(x)


def _flat(out):
    return list(out) if isinstance(out, (list, tuple)) else [out]


def jit_matches_eager(backend, f, *args, rtol=1e-6, atol=1e-6, names=None):
    """jit(f, backend=backend)(*args) equals f(*args) run eagerly; returns the Compiled object."""
    jf = jax.jit(f, backend=backend)
    got = _flat(jf(*args))
    want = _flat(f(*args))
    assert len(got) == len(want)
    for i, (g, w) in enumerate(zip(got, want)):
        label = names[i] if names else i
        g, w = _np(g), _np(w)
        assert g.dtype == w.dtype, f"{label}: dtype {g.dtype} != {w.dtype}"
        assert g.shape == w.shape, f"{label}: shape {g.shape} != {w.shape}"
        if g.dtype.kind == "c":
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol, err_msg=f"output {label}")
        elif g.dtype.kind == "f" or g.dtype.name == "bfloat16":
            np.testing.assert_allclose(g.astype(np.float64), w.astype(np.float64), rtol=rtol, atol=atol,
                                       equal_nan=True, err_msg=f"output {label}")
        else:
            np.testing.assert_array_equal(g, w, err_msg=f"output {label}")
    return jf.lower(*args).compile()


@pytest.fixture
def x64():
    with enable_x64():
        yield


SPECIAL = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.5, 3.0, 1e-30, -1e-30, 1e30, -1e30,
           float("inf"), float("-inf"), float("nan"), 88.0, -88.0, 100.0, -100.0]


def float_values(dtype, n, lo=-6.0, hi=6.0, randoms=40):
    """SPECIAL, n evenly spaced values in [lo, hi] and `randoms` normal draws (x3), as dtype."""
    rng = np.random.default_rng(0)
    v = np.concatenate([np.array(SPECIAL), np.linspace(lo, hi, n), rng.standard_normal(randoms) * 3])
    return jnp.asarray(v.astype(np.float64)).astype(dtype)


UNARY_FLOAT = ["neg", "sign", "floor", "ceil", "is_finite", "exp", "exp2", "log", "log1p", "expm1",
               "tanh", "logistic", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh",
               "asinh", "acosh", "atanh", "sqrt", "rsqrt", "cbrt", "abs", "erf", "erfc", "square"]


def _unary_all(x):
    # eager's cbrt is |x| ** (1/3) with the exponent rounded to the narrow type: compare in f32 only
    outs = [getattr(lax, n)(x) if n != "cbrt" or x.dtype in (np.float32, np.float64) else x
            for n in UNARY_FLOAT]
    outs += [lax.round(x, 0), lax.round(x, 1), lax.integer_pow(x, 3), lax.integer_pow(x, -2),
             lax.integer_pow(x, 0)]
    return outs


UNARY_NAMES = UNARY_FLOAT + ["round0", "round1", "ipow3", "ipow-2", "ipow0"]

BINARY_FLOAT = ["add", "sub", "mul", "div", "rem", "pow", "max", "min", "atan2", "nextafter",
                "eq", "ne", "lt", "le", "gt", "ge"]

INT_BINARY = ["add", "sub", "mul", "div", "rem", "max", "min", "bitwise_and", "bitwise_or", "bitwise_xor",
              "eq", "ne", "lt", "le", "gt", "ge"]


# the fused workloads (softmax and layernorm are one kernel each)
def softmax(x):
    e = jnp.exp(x - jnp.max(x, axis=-1, keepdims=True))
    return e / jnp.sum(e, axis=-1, keepdims=True)


def layernorm(x, w, b):
    mu = jnp.mean(x, axis=-1, keepdims=True)
    xc = x - mu
    var = jnp.mean(xc * xc, axis=-1, keepdims=True)
    return xc / jnp.sqrt(var + 1e-5) * w + b

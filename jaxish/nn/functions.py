"""Activations and friends as in jax.nn, written with jnp/lax so their derivatives come from the
primitives' rules. Kinks use `where` so the derivative there is JAX's (relu'(0) = 0)."""
import math
import operator

import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..numpy import _core as C
from ..numpy._core import _promote_to_inexact
from ..numpy.creation import asarray
from ..numpy import reductions as R
from ..scipy.special import logsumexp  # noqa: F401

__all__ = ["relu", "relu6", "sigmoid", "softplus", "soft_sign", "silu", "swish", "log_sigmoid", "elu", "leaky_relu",
           "hard_tanh", "hard_sigmoid", "hard_silu", "hard_swish", "celu", "selu", "gelu", "glu", "mish",
           "squareplus", "sparse_plus", "sparse_sigmoid", "log1mexp", "identity", "tanh",
           "softmax", "log_softmax", "logsumexp", "standardize", "normalize", "one_hot"]


def _arr(x, name):
    x = C._operand(x, f"{name} argument x")
    return asarray(x) if type(x) in (int, float, bool, complex) else x


def _inexact(name, x):
    (x,) = _promote_to_inexact(name, _arr(x, name))
    return asarray(x) if type(x) in (int, float, complex) else x


def identity(x):
    return _arr(x, "identity")


def relu(x):
    """max(x, 0), with derivative 0 at 0 (as JAX's custom rule)."""
    x = _arr(x, "relu")
    return C.where(C.greater(x, 0), x, lax.full_like(x, 0))


# As JAX, these take integer inputs through weak-typed float arithmetic (relu6 of int32 is a
# weakly typed float32), while sigmoid-based ones hand ints to lax.logistic (a TypeError).
def relu6(x):
    x = _arr(x, "relu6")
    return C.where(C.less_equal(x, 0), 0, C.where(C.greater_equal(x, 6), 6.0, x))


def sigmoid(x):
    return lax.logistic(_arr(x, "sigmoid"))


def tanh(x):
    return C.tanh(x)


def softplus(x):
    return C.logaddexp(_inexact("softplus", x), 0.0)


def soft_sign(x):
    x = _inexact("soft_sign", x)
    return C.true_divide(x, C.add(C.abs(x), 1.0))


def silu(x):
    x = _arr(x, "silu")
    return C.multiply(x, lax.logistic(x))


swish = silu


def log_sigmoid(x):
    x = _inexact("log_sigmoid", x)
    return C.negative(softplus(C.negative(x)))


def elu(x, alpha=1.0):
    x = _arr(x, "elu")
    pos = C.greater(x, 0)
    safe = C.where(pos, 0.0, x)
    return C.where(pos, x, C.multiply(alpha, C.expm1(safe)))


def celu(x, alpha=1.0):
    x = _arr(x, "celu")
    pos = C.greater(x, 0)
    safe = C.where(pos, 0.0, x)
    return C.where(pos, x, C.multiply(alpha, C.expm1(C.true_divide(safe, alpha))))


def selu(x):
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return C.multiply(scale, elu(x, alpha))


def leaky_relu(x, negative_slope=0.01):
    x = _arr(x, "leaky_relu")
    return C.where(C.greater_equal(x, 0), x, C.multiply(negative_slope, x))


def hard_tanh(x):
    x = _arr(x, "hard_tanh")
    return C.where(C.greater(x, 1), 1, C.where(C.less(x, -1), -1, x))


def hard_sigmoid(x):
    return C.true_divide(relu6(C.add(_arr(x, "hard_sigmoid"), 3.0)), 6.0)


def hard_silu(x):
    x = _arr(x, "hard_silu")
    return C.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def gelu(x, approximate=True):
    """GELU: the tanh approximation by default, the exact erf form with approximate=False."""
    x = _inexact("gelu", x)
    dt = core.get_aval(x).dtype

    def k(v):   # constants of x's dtype, strong as JAX's (gelu(0.5) is not weakly typed)
        return np.asarray(v, dtype=dt)
    if approximate:
        inner = C.multiply(k(math.sqrt(2.0 / math.pi)), C.add(x, C.multiply(k(0.044715), C.multiply(C.multiply(x, x), x))))
        return C.multiply(C.multiply(x, k(0.5)), C.add(k(1.0), C.tanh(inner)))
    return C.multiply(x, C.true_divide(lax.erfc(C.multiply(x, k(-math.sqrt(0.5)))), k(2.0)))


def glu(x, axis=-1):
    """First half of x along axis gated by the sigmoid of the second half."""
    x = _arr(x, "glu")
    n = core.get_aval(x).shape[axis]
    if n % 2:
        raise ValueError(f"axis size must be divisible by 2, got {n}")
    nd = core.get_aval(x).ndim
    ax = operator.index(axis) % nd
    a = lax.slice_in_dim(x, 0, n // 2, axis=ax)
    b = lax.slice_in_dim(x, n // 2, n, axis=ax)
    return C.multiply(a, lax.logistic(b))


def mish(x):
    x = _inexact("mish", x)
    return C.multiply(x, C.tanh(softplus(x)))


def squareplus(x, b=4):
    x = _inexact("squareplus", x)
    return C.true_divide(C.add(x, C.sqrt(C.add(C.multiply(x, x), b))), 2.0)


def sparse_plus(x):
    x = _arr(x, "sparse_plus")
    mid = C.multiply(0.25, C.square(C.add(x, 1.0)))
    return C.where(C.less_equal(x, -1.0), 0.0, C.where(C.greater_equal(x, 1.0), x, mid))


def sparse_sigmoid(x):
    x = _arr(x, "sparse_sigmoid")
    return C.multiply(0.5, C.clip(C.add(x, 1.0), 0.0, 2.0))


def log1mexp(x):
    """log(1 - exp(-x)) for x > 0, accurate at both ends."""
    x = _inexact("log1mexp", x)
    small = C.less(x, math.log(2.0))
    return C.where(small, C.log(C.negative(C.expm1(C.negative(x)))), C.log1p(C.negative(C.exp(C.negative(x)))))


def _axis_max(x, axis, where, initial):
    return R.max(x, axis=axis, keepdims=True, where=where, initial=initial)


def softmax(x, axis=-1, where=None, initial=-np.inf):
    """exp(x - max) / sum(exp(x - max)) along axis (masked by `where`: those entries get 0)."""
    x = _inexact("softmax", x)
    m = lax.stop_gradient(_axis_max(x, axis, where, initial))
    m = C.where(C.isfinite(m), m, 0.0)
    e = C.exp(C.subtract(x, m))
    if where is not None:
        e = C.where(where, e, 0.0)
    return C.true_divide(e, R.sum(e, axis=axis, keepdims=True, where=where))


def log_softmax(x, axis=-1, where=None, initial=-np.inf):
    x = _inexact("log_softmax", x)
    m = lax.stop_gradient(_axis_max(x, axis, where, initial))
    m = C.where(C.isfinite(m), m, 0.0)
    shifted = C.subtract(x, m)
    lse = C.log(R.sum(C.exp(shifted), axis=axis, keepdims=True, where=where))
    out = C.subtract(shifted, lse)
    if where is not None:
        out = C.where(where, out, -np.inf)
    return out


def standardize(x, axis=-1, mean=None, variance=None, epsilon=1e-5, where=None):
    """(x - mean) / sqrt(variance + epsilon), statistics over axis unless given."""
    x = _inexact("standardize", x)
    if mean is None:
        mean = R.mean(x, axis=axis, keepdims=True, where=where)
    if variance is None:
        variance = C.subtract(R.mean(C.square(x), axis=axis, keepdims=True, where=where), C.square(mean))
    return C.multiply(C.subtract(x, mean), lax.rsqrt(C.add(variance, epsilon)))


normalize = standardize


def one_hot(x, num_classes, *, dtype=None, axis=-1):
    """One-hot rows along a new axis; entries outside [0, num_classes) give all-zero rows."""
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise TypeError("num_classes must be a static integer (mark it static under jit)") from None
    x = _arr(x, "one_hot")
    dt = dtypes.canonicalize(dtypes.check_dtype(dtype)) if dtype is not None else dtypes.default_float()
    xv = core.get_aval(x)
    nd = xv.ndim + 1
    ax = operator.index(axis)
    if not -nd <= ax < nd:
        raise ValueError(f"axis {axis} is out of bounds for the one_hot output of rank {nd}")
    ax %= nd
    shape = xv.shape[:ax] + (num_classes,) + xv.shape[ax:]
    xb = lax.broadcast_in_dim(x, shape, tuple(i for i in range(nd) if i != ax))
    cls = lax.broadcasted_iota(xv.dtype if dtypes.is_int(xv.dtype) else dtypes.int32, shape, ax)
    if not dtypes.is_int(xv.dtype):
        cls = lax.convert_element_type(cls, xv.dtype)
    return lax.convert_element_type(C.equal(xb, cls), dt)


__all__ += ["logmeanexp"]


def _broadcast(x, shape):
    from ..numpy import broadcast_to
    return broadcast_to(x, shape)


def logmeanexp(x, axis=None, where=None, keepdims=False):
    """log(mean(exp(x))) along axis, computed stably."""
    x = _inexact("logmeanexp", x)
    xv = core.get_aval(x)
    if where is None:
        n = xv.size if axis is None else math.prod(
            xv.shape[a] for a in ((axis,) if isinstance(axis, int) else tuple(axis)))
        return C.subtract(logsumexp(x, axis=axis, keepdims=keepdims), math.log(n))
    w = lax.convert_element_type(_broadcast(where, xv.shape), xv.dtype)
    cnt = R.sum(w, axis=axis, keepdims=keepdims)
    return C.subtract(logsumexp(x, axis=axis, keepdims=keepdims, where=where), C.log(cnt))

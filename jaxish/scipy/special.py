"""jax.scipy.special on lax primitives: each function differentiates, vmaps and jits through the
rules of the primitives it is built from."""
import numpy as np

from .. import dtypes
from ..interpreters import core
from .. import lax
from ..numpy import _core as C
from ..numpy._core import _promote_to_inexact
from ..numpy.creation import asarray
from ..numpy import reductions as R

__all__ = ["logsumexp", "erf", "erfc", "erfinv", "expit", "logit", "gammaln", "loggamma", "digamma", "xlogy",
           "xlog1py", "entr", "ndtr", "ndtri", "log_ndtr", "softmax", "log_softmax", "betaln", "gamma",
           "polygamma", "sinc"]


def _inexact(name, *xs):
    out = [asarray(x) if not isinstance(x, core.Tracer) and not hasattr(x, "_t") else x
           for x in _promote_to_inexact(name, *xs)]
    return out if len(out) > 1 else out[0]


def logsumexp(a, axis=None, b=None, keepdims=False, return_sign=False, where=None):
    """log(sum(b * exp(a))) computed stably (the max is shifted out and held constant)."""
    if b is not None:
        a, b = _inexact("logsumexp", a, b)
    else:
        a = _inexact("logsumexp", a)
    amax = R.max(a, axis=axis, keepdims=True, where=where, initial=-np.inf)
    amax = lax.stop_gradient(C.where(C.isfinite(amax), amax, 0.0))
    e = C.exp(C.subtract(a, amax))
    if b is not None:
        e = C.multiply(e, b)
    s = R.sum(e, axis=axis, keepdims=keepdims, where=where)
    sign = C.sign(s)
    if dtypes.is_complex(core.get_aval(s).dtype):
        s = C.abs(s)
    out = C.log(C.abs(s))
    if not keepdims:
        amax = lax.reshape(amax, core.get_aval(out).shape)
    out = C.add(out, amax)
    if return_sign:
        return out, sign
    if b is not None and not dtypes.is_complex(core.get_aval(out).dtype):
        out = C.where(C.less(sign, 0), np.nan, out)
    return out


def erf(x):
    return lax.erf(_inexact("erf", x))


def erfc(x):
    return lax.erfc(_inexact("erfc", x))


def erfinv(x):
    return lax.erf_inv(_inexact("erfinv", x))


def expit(x):
    return lax.logistic(_inexact("expit", x))


def logit(x):
    x = _inexact("logit", x)
    return C.log(C.true_divide(x, C.subtract(1.0, x)))


def gammaln(x):
    return lax.lgamma(_inexact("gammaln", x))


loggamma = gammaln


def gamma(x):
    """Gamma function: exp(lgamma(x)) with the sign (-1)**floor(x) for negative x."""
    x = _inexact("gamma", x)
    sign = C.where(C.greater(x, 0), 1.0, C.where(C.equal(C.remainder(C.floor(x), 2), 0), 1.0, -1.0))
    return C.multiply(sign, C.exp(lax.lgamma(x)))


def betaln(a, b):
    a, b = _inexact("betaln", a, b)
    return C.subtract(C.add(lax.lgamma(a), lax.lgamma(b)), lax.lgamma(C.add(a, b)))


def digamma(x):
    return lax.digamma(_inexact("digamma", x))


def polygamma(n, x):
    """The n-th derivative of digamma; n must be a static non-negative integer."""
    if isinstance(n, core.Tracer) and n.to_concrete_value() is None:
        raise core.ConcretizationTypeError(n, "jax.scipy.special.polygamma needs a static order n here.")
    nv = np.asarray(n if not isinstance(n, core.Tracer) else n.to_concrete_value())
    if nv.size != 1 or float(nv) != int(float(nv)) or float(nv) < 0:
        raise ValueError(f"polygamma order n must be a non-negative integer, got {n}")
    m = int(float(nv))
    x = _inexact("polygamma", x)
    if m == 0:
        return lax.digamma(x)
    from ..lax.elementwise import polygamma_n_p
    return polygamma_n_p.bind(x, m=m)


def xlogy(x, y):
    """x * log(y), zero where x == 0 (also when y == 0)."""
    x, y = _inexact("xlogy", x, y)
    ok = C.not_equal(x, 0.0)
    safe_y = C.where(ok, y, 1.0)
    return C.where(ok, C.multiply(x, C.log(safe_y)), 0.0)


def xlog1py(x, y):
    """x * log1p(y), zero where x == 0."""
    x, y = _inexact("xlog1py", x, y)
    ok = C.not_equal(x, 0.0)
    safe_y = C.where(ok, y, 0.0)
    return C.where(ok, C.multiply(x, C.log1p(safe_y)), 0.0)


def entr(x):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    x = _inexact("entr", x)
    pos = C.greater(x, 0)
    safe = C.where(pos, x, 1.0)
    return C.where(pos, C.negative(C.multiply(x, C.log(safe))), C.where(C.equal(x, 0), 0.0, -np.inf))


def ndtr(x):
    """Standard normal CDF."""
    x = _inexact("ndtr", x)
    return C.multiply(lax.erfc(C.multiply(x, -float(np.sqrt(0.5)))), 0.5)


def ndtri(p):
    """Inverse of ndtr."""
    p = _inexact("ndtri", p)
    return C.multiply(lax.erf_inv(C.subtract(C.multiply(p, 2.0), 1.0)), float(np.sqrt(2.0)))


def log_ndtr(x):
    """log of the standard normal CDF, accurate in the lower tail (an asymptotic series where
    erfc would underflow: below -20 in float64, -10 in float32)."""
    x = _inexact("log_ndtr", x)
    cut = -20.0 if core.get_aval(x).dtype == np.dtype(np.float64) else -10.0
    lower = C.less(x, cut)
    mid = C.log(ndtr(C.where(lower, 0.0, x)))
    xl = C.where(lower, x, cut - 1.0)
    z2 = C.multiply(xl, xl)
    inv = C.true_divide(1.0, z2)
    # log(phi(x) / |x|) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 - 945/x^10)
    t = C.multiply(inv, 945.0)
    for c in (105.0, 15.0, 3.0, 1.0):
        t = C.multiply(inv, C.subtract(c, t))
    series = C.subtract(1.0, t)
    low = C.subtract(C.subtract(C.multiply(z2, -0.5), float(0.5 * np.log(2 * np.pi))), C.log(C.negative(xl)))
    return C.where(lower, C.add(low, C.log(series)), mid)


def softmax(x, axis=None):
    from ..nn.functions import softmax as _softmax
    return _softmax(x, axis=axis)


def log_softmax(x, axis=None):
    from ..nn.functions import log_softmax as _log_softmax
    return _log_softmax(x, axis=axis)


def sinc(x):
    from ..numpy import sinc as _sinc
    return _sinc(x)

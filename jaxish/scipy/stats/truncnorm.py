"""jax.scipy.stats.truncnorm: the standard normal truncated to [a, b] (in units of scale about loc)."""
import numpy as np

from . import norm
from ._common import S, jnp, promote


def _log_diff(x, y):
    """log(exp(x) - exp(y)) for x >= y."""
    return x + jnp.log1p(-jnp.exp(jnp.minimum(y - x, 0.0)))


def _log_gauss_mass(a, b):
    """log of the standard normal mass on [a, b], computed in the left tail (by symmetry) or, for
    intervals around 0, as log1p of the two tails."""
    a, b = jnp.broadcast_arrays(a, b)
    left, right = b <= 0, a > 0
    central = ~(left | right)
    at = jnp.where(right, -b, a)
    bt = jnp.where(right, -a, b)
    tail = _log_diff(S.log_ndtr(bt), S.log_ndtr(at))
    mid = jnp.log1p(-S.ndtr(a) - S.ndtr(-b))
    return jnp.where(central, mid, tail)


def logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("truncnorm.logpdf", x, a, b, loc, scale)
    val = norm.logpdf(x, loc, scale) - _log_gauss_mass(a, b)
    z = (x - loc) / scale
    val = jnp.where((z < a) | (z > b), -np.inf, val)
    return jnp.where(a >= b, np.nan, val)


def pdf(x, a, b, loc=0, scale=1):
    return jnp.exp(logpdf(x, a, b, loc, scale))


def logcdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("truncnorm.logcdf", x, a, b, loc, scale)
    x, a, b = jnp.broadcast_arrays(x, a, b)
    z = (x - loc) / scale
    zc = jnp.clip(z, a, b)
    mass = _log_gauss_mass(a, b)
    lc = _log_gauss_mass(a, zc) - mass
    ls = _log_gauss_mass(zc, b) - mass
    out = jnp.where(lc > -0.1, jnp.log1p(-jnp.exp(ls)), lc)
    out = jnp.where(z >= b, 0.0, jnp.where(z <= a, -np.inf, out))
    return jnp.where(a >= b, np.nan, out)


def cdf(x, a, b, loc=0, scale=1):
    return jnp.exp(logcdf(x, a, b, loc, scale))


def logsf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("truncnorm.logsf", x, a, b, loc, scale)
    return logcdf(-x, -b, -a, -loc, scale)


def sf(x, a, b, loc=0, scale=1):
    return jnp.exp(logsf(x, a, b, loc, scale))

"""jax.scipy.stats.gamma: the gamma distribution with shape a."""
import numpy as np

from ._common import S, jnp, promote


def logpdf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote("gamma.logpdf", x, a, loc, scale)
    ok = x >= loc
    y = jnp.where(ok, (x - loc) / scale, 1.0)
    return jnp.where(ok, S.xlogy(a - 1, y) - y - S.gammaln(a) - jnp.log(scale), -np.inf)


def pdf(x, a, loc=0, scale=1):
    return jnp.exp(logpdf(x, a, loc, scale))


def cdf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote("gamma.cdf", x, a, loc, scale)
    return S.gammainc(a, jnp.clip((x - loc) / scale, 0.0, np.inf))


def logcdf(x, a, loc=0, scale=1):
    return jnp.log(cdf(x, a, loc, scale))


def sf(x, a, loc=0, scale=1):
    x, a, loc, scale = promote("gamma.sf", x, a, loc, scale)
    y = (x - loc) / scale
    return jnp.where(y < 0, 1.0, S.gammaincc(a, jnp.maximum(y, 0.0)))


def logsf(x, a, loc=0, scale=1):
    return jnp.log(sf(x, a, loc, scale))

"""jax.scipy.stats.beta: the beta distribution on [loc, loc + scale]."""
import numpy as np

from ._common import S, jnp, promote


def logpdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("beta.logpdf", x, a, b, loc, scale)
    y = (x - loc) / scale
    lp = S.xlogy(a - 1, y) + S.xlog1py(b - 1, -y) - S.betaln(a, b) - jnp.log(scale)
    lp = jnp.where((x > loc + scale) | (x < loc), -np.inf, lp)
    return jnp.where((a <= 0) | (b <= 0) | (scale <= 0), np.nan, lp)


def pdf(x, a, b, loc=0, scale=1):
    return jnp.exp(logpdf(x, a, b, loc, scale))


def cdf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("beta.cdf", x, a, b, loc, scale)
    return S.betainc(a, b, jnp.clip((x - loc) / scale, 0.0, 1.0))


def logcdf(x, a, b, loc=0, scale=1):
    return jnp.log(cdf(x, a, b, loc, scale))


def sf(x, a, b, loc=0, scale=1):
    x, a, b, loc, scale = promote("beta.sf", x, a, b, loc, scale)
    return S.betainc(b, a, 1 - jnp.clip((x - loc) / scale, 0.0, 1.0))


def logsf(x, a, b, loc=0, scale=1):
    return jnp.log(sf(x, a, b, loc, scale))

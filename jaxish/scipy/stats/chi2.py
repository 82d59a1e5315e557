"""jax.scipy.stats.chi2: the chi-squared distribution with df degrees of freedom."""
import numpy as np

from ._common import S, jnp, promote


def logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("chi2.logpdf", x, df, loc, scale)
    ok = x >= loc
    y = jnp.where(ok, (x - loc) / scale, 1.0)
    half = df / 2
    lp = S.xlogy(half - 1, y) - y / 2 - S.gammaln(half) - half * np.log(2.0) - jnp.log(scale)
    return jnp.where(ok, lp, -np.inf)


def pdf(x, df, loc=0, scale=1):
    return jnp.exp(logpdf(x, df, loc, scale))


def cdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("chi2.cdf", x, df, loc, scale)
    return S.gammainc(df / 2, jnp.clip((x - loc) / (2 * scale), 0.0, np.inf))


def logcdf(x, df, loc=0, scale=1):
    return jnp.log(cdf(x, df, loc, scale))


def sf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("chi2.sf", x, df, loc, scale)
    return S.gammaincc(df / 2, jnp.clip((x - loc) / (2 * scale), 0.0, np.inf))


def logsf(x, df, loc=0, scale=1):
    return jnp.log(sf(x, df, loc, scale))

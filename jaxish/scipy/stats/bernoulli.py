"""jax.scipy.stats.bernoulli: the Bernoulli distribution with success probability p."""
import numpy as np

from ._common import S, jnp, promote


def logpmf(k, p, loc=0):
    k, p, loc = promote("bernoulli.logpmf", k, p, loc)
    x = k - loc
    lp = S.xlogy(x, p) + S.xlog1py(1 - x, -p)
    return jnp.where((x < 0) | (x > 1), -np.inf, lp)


def pmf(k, p, loc=0):
    return jnp.exp(logpmf(k, p, loc))


def cdf(k, p):
    k, p = promote("bernoulli.cdf", k, p)
    out = jnp.where(k < 0, 0.0, jnp.where(k < 1, 1 - p, 1.0))
    return jnp.where(jnp.isnan(k) | jnp.isnan(p) | (p < 0) | (p > 1), np.nan, out)


def ppf(q, p):
    q, p = promote("bernoulli.ppf", q, p)
    bad = jnp.isnan(q) | jnp.isnan(p) | (p < 0) | (p > 1) | (q < 0) | (q > 1)
    return jnp.where(bad, np.nan, jnp.where(q <= 1 - p, 0.0, 1.0))

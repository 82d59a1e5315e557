"""jax.scipy.stats.pareto: the Pareto distribution with shape b."""
import numpy as np

from ._common import jnp, promote


def logpdf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.logpdf", x, b, loc, scale)
    z = (x - loc) / scale
    below = x < loc + scale
    z = jnp.where(below, 1.0, z)
    return jnp.where(below, -np.inf, -(jnp.log(scale / b) + (b + 1) * jnp.log(z)))


def pdf(x, b, loc=0, scale=1):
    return jnp.exp(logpdf(x, b, loc, scale))


def cdf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.cdf", x, b, loc, scale)
    below = x < loc + scale
    z = jnp.where(below, 1.0, (x - loc) / scale)
    return jnp.where(below, 0.0, 1 - z ** -b)


def logcdf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.logcdf", x, b, loc, scale)
    below = x < loc + scale
    z = jnp.where(below, 2.0, (x - loc) / scale)
    return jnp.where(below, -np.inf, jnp.log1p(-(z ** -b)))


def logsf(x, b, loc=0, scale=1):
    x, b, loc, scale = promote("pareto.logsf", x, b, loc, scale)
    below = x < loc + scale
    z = jnp.where(below, 1.0, (x - loc) / scale)
    return jnp.where(below, 0.0, -b * jnp.log(z))


def sf(x, b, loc=0, scale=1):
    return jnp.exp(logsf(x, b, loc, scale))


def ppf(q, b, loc=0, scale=1):
    q, b, loc, scale = promote("pareto.ppf", q, b, loc, scale)
    return jnp.where(jnp.isnan(q) | (q < 0) | (q > 1), np.nan, loc + scale * (1 - q) ** (-1 / b))

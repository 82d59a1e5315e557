"""jax.scipy.stats.t: Student's t distribution (logpdf, pdf)."""
import numpy as np

from ._common import S, jnp, promote


def logpdf(x, df, loc=0, scale=1):
    x, df, loc, scale = promote("t.logpdf", x, df, loc, scale)
    z = (x - loc) / scale
    half = df / 2
    norm = S.gammaln(half) + jnp.log(scale * scale * np.pi * df) / 2 - S.gammaln(half + 0.5)
    return -(norm + (half + 0.5) * jnp.log1p(z * z / df))


def pdf(x, df, loc=0, scale=1):
    return jnp.exp(logpdf(x, df, loc, scale))

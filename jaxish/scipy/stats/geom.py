"""jax.scipy.stats.geom: the geometric distribution (trials up to the first success, k >= 1)."""
import numpy as np

from ._common import S, jnp, promote


def logpmf(k, p, loc=0):
    k, p, loc = promote("geom.logpmf", k, p, loc)
    x = k - loc
    return jnp.where(x <= 0, -np.inf, S.xlog1py(x - 1, -p) + jnp.log(p))


def pmf(k, p, loc=0):
    return jnp.exp(logpmf(k, p, loc))

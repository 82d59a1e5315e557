"""jax.scipy.stats.binom: the binomial distribution of n trials with success probability p."""
import numpy as np

from ._common import S, jnp, promote


def logpmf(k, n, p, loc=0):
    k, n, p, loc = promote("binom.logpmf", k, n, p, loc)
    y = k - loc
    comb = S.gammaln(n + 1) - (S.gammaln(y + 1) + S.gammaln(n - y + 1))
    lin = S.xlogy(y, p) + S.xlog1py(n - y, -p)
    lp = jnp.where(((y == 0) & (n == 0)) | (lin == 0), 0.0, comb + lin)
    return jnp.where((k >= loc) & (k < loc + n + 1), lp, -np.inf)


def pmf(k, n, p, loc=0):
    return jnp.exp(logpmf(k, n, p, loc))

"""jax.scipy.stats.nbinom: the negative binomial distribution (failures k before n successes of
probability p), shifted by loc."""
import numpy as np

from ._common import S, jnp, promote


def logpmf(k, n, p, loc=0):
    """log C(k+n-1, n-1) + n log p + k log(1-p) at y = k - loc; -inf for k < loc. As JAX, a
    non-integer k is not masked."""
    k, n, p, loc = promote("nbinom.logpmf", k, n, p, loc)
    y = k - loc
    comb = S.gammaln(y + n) - S.gammaln(n) - S.gammaln(y + 1)
    lp = comb + (S.xlogy(n, p) + S.xlogy(y, 1 - p))
    return jnp.where(k < loc, -np.inf, lp)


def pmf(k, n, p, loc=0):
    return jnp.exp(logpmf(k, n, p, loc))
